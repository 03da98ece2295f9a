package dev.pando.benchmarks;

import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import dev.pando.node.Ingest;
import dev.pando.node.IngestCounters;
import dev.pando.node.IngestInput;
import dev.pando.node.ProviderRegistry;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.RawOperation;
import dev.pando.spi.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * End-to-end ingest benchmarks, each next to its baseline in the same run:
 * <ul>
 *   <li>{@code raw_ed25519_verify_1t}: BouncyCastle {@code Ed25519.verify} of the operations'
 *       unsigned headers, one thread (the cost ingest cannot avoid);</li>
 *   <li>{@code ingest_memory} / {@code ingest_sqlite}: 100,000 valid operations (100 authors,
 *       200-byte bodies, interleaved as sync delivers many logs) through
 *       {@code Ingest.ingestBatchAsync} in batches of 1,000, two in flight as {@code pando store
 *       import} does, into the "memory" and "sqlite" stores;</li>
 *   <li>{@code raw_sqlite_insert}: plain JDBC batched inserts of the same rows (the store's row
 *       shape: id, author, log id, seq, header, body, both UNIQUE constraints), 1,000 per
 *       transaction, WAL and synchronous=NORMAL as the store sets them;</li>
 *   <li>{@code read_raw_log_sqlite}: reading a 100,000-operation log from seq 0 as raw bytes,
 *       1,000 per page.</li>
 * </ul>
 * Each ingest and the verify baseline also report the process CPU time per operation ({@code
 * *_cpu}, µs/op), which a busy machine does not distort, and their ratios.
 * Goals (GOAL lines): memory ingest at least 1.6 times the single-thread verify rate; SQLite
 * ingest at least 0.8 times memory ingest; the raw log read at least 300,000 ops/s. Wall-clock
 * figures: they suffer from a loaded machine, so the load average is printed with them.
 * Usage: {@code IngestBenchmarks [--quick]} (--quick: 10,000 operations, for a smoke run).
 */
public final class IngestBenchmarks {
    private static final int AUTHORS = 100;
    private static final int BODY = 200;
    private static final int BATCH = 1000;

    private IngestBenchmarks() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        int total = quick ? 10_000 : 100_000;
        System.out.printf("# ingest benchmarks: %,d operations, %d authors, %d-byte bodies, %d cores, load %.1f%n",
                total, AUTHORS, BODY, Runtime.getRuntime().availableProcessors(), load());
        List<Operation> ops = interleavedLogs(AUTHORS, total / AUTHORS, 1);
        List<IngestInput> inputs = ops.stream().map(IngestBenchmarks::input).toList();
        Path tmp = Files.createTempDirectory("pando-ingest-bench");
        try {
            // warm-up of every path on a separate data set, so that the JIT has compiled them
            List<Operation> warm = interleavedLogs(AUTHORS, Math.max(10, total / AUTHORS / 5), 2);
            verifyRate(warm);
            ingestRate("memory", tmp.resolve("warm-memory.db"), warm.stream().map(IngestBenchmarks::input).toList());
            ingestRate("sqlite", tmp.resolve("warm.db"), warm.stream().map(IngestBenchmarks::input).toList());
            rawSqliteRate(tmp.resolve("warm-raw.db"), warm);

            double verify = verifyRate(ops);
            result("raw_ed25519_verify_1t", verify, "ops/s");
            double verifyCpu = lastCpuMicrosPerOp;
            double memory = ingestRate("memory", tmp.resolve("unused.db"), inputs);
            result("ingest_memory", memory, "ops/s");
            double memoryCpu = lastCpuMicrosPerOp;
            double sqlite = ingestRate("sqlite", tmp.resolve("ingest.db"), inputs);
            result("ingest_sqlite", sqlite, "ops/s");
            double sqliteCpu = lastCpuMicrosPerOp;
            // CPU time per operation does not depend on how busy the machine is: it shows what the
            // pipeline costs beyond the signature check, whatever the wall-clock figures suffered
            result("raw_ed25519_verify_cpu", verifyCpu, "us/op");
            result("ingest_memory_cpu", memoryCpu, "us/op");
            result("ingest_sqlite_cpu", sqliteCpu, "us/op");
            result("ingest_memory_cpu_vs_verify_cpu", memoryCpu / verifyCpu, "ratio");
            result("ingest_sqlite_cpu_vs_memory_cpu", sqliteCpu / memoryCpu, "ratio");
            double raw = rawSqliteRate(tmp.resolve("raw.db"), ops);
            result("raw_sqlite_insert", raw, "ops/s");
            double read = readRate(tmp.resolve("long.db"), total);
            result("read_raw_log_sqlite", read, "ops/s");

            ratio("ingest_memory_vs_verify_1t", memory / verify, 1.6);
            ratio("ingest_sqlite_vs_memory", sqlite / memory, 0.8);
            result("ingest_sqlite_vs_raw_sqlite_insert", sqlite / raw, "ratio");
            System.out.printf("GOAL read_raw_log_sqlite %.0f >= 300000 %s%n", read, read >= 300_000 ? "met" : "not met");
            System.out.printf("# load average at the end: %.1f%n", load());
        } finally {
            try (Stream<Path> files = Files.walk(tmp)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** {@code perLog} operations of {@code authors} logs, ordered seq 0 of every log, then seq 1, … */
    static List<Operation> interleavedLogs(int authors, int perLog, long seed) {
        Random random = new Random(seed);
        Operation[][] logs = new Operation[authors][perLog];
        LogId logId = LogId.fromHex("be");
        for (int a = 0; a < authors; a++) {
            byte[] seedBytes = new byte[32];
            random.nextBytes(seedBytes);
            PrivateKey key = PrivateKey.fromBytes(seedBytes);
            Operation prev = null;
            for (int s = 0; s < perLog; s++) {
                byte[] body = new byte[BODY];
                random.nextBytes(body);
                var b = Operation.builder(key).timestamp(1_700_000_000_000_000L + s).body(body);
                prev = (prev == null ? b.logId(logId) : b.after(prev)).build();
                logs[a][s] = prev;
            }
        }
        List<Operation> out = new ArrayList<>(authors * perLog);
        for (int s = 0; s < perLog; s++) {
            for (int a = 0; a < authors; a++) {
                out.add(logs[a][s]);
            }
        }
        return out;
    }

    static IngestInput input(Operation op) {
        return IngestInput.of(op.headerBytes(), op.body().orElseThrow().bytes());
    }

    static double verifyRate(List<Operation> ops) {
        int n = ops.size();
        byte[][] unsigned = new byte[n][];
        byte[][] sigs = new byte[n][];
        byte[][] keys = new byte[n][];
        for (int i = 0; i < n; i++) {
            Operation op = ops.get(i);
            unsigned[i] = op.header().unsignedBytes();
            sigs[i] = op.header().signature().orElseThrow().bytes();
            keys[i] = op.author().bytes();
        }
        long c0 = processCpuNanos();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            if (!Ed25519.verify(sigs[i], 0, keys[i], 0, unsigned[i], 0, unsigned[i].length)) {
                throw new IllegalStateException("a generated signature does not verify");
            }
        }
        double rate = n / seconds(t0);
        lastCpuMicrosPerOp = (processCpuNanos() - c0) / 1e3 / n;
        return rate;
    }

    private static double ingestRate(String storeName, Path db, List<IngestInput> inputs) {
        try (Store store = open(storeName, db); Ingest ingest = Ingest.create(store)) {
            long c0 = processCpuNanos();
            long t0 = System.nanoTime();
            // as pando store import does: two batches in flight, so that one is stored while the
            // next is verified
            java.util.ArrayDeque<java.util.concurrent.CompletableFuture<?>> inFlight = new java.util.ArrayDeque<>();
            for (int i = 0; i < inputs.size(); i += BATCH) {
                inFlight.add(ingest.ingestBatchAsync(inputs.subList(i, Math.min(inputs.size(), i + BATCH))));
                if (inFlight.size() > 2) {
                    inFlight.poll().join();
                }
            }
            inFlight.forEach(java.util.concurrent.CompletableFuture::join);
            double rate = inputs.size() / seconds(t0);
            lastCpuMicrosPerOp = (processCpuNanos() - c0) / 1e3 / inputs.size();
            IngestCounters c = ingest.counters();
            if (c.inserted() + c.released() != inputs.size()) {
                throw new IllegalStateException("ingest into " + storeName + " stored " + (c.inserted() + c.released())
                        + " of " + inputs.size() + ": " + c);
            }
            return rate;
        }
    }

    static Store open(String name, Path db) {
        ProviderRegistry registry = ProviderRegistry.load();
        // a store without a file (memory) declares no path option
        ProviderOptions options = registry.store(name).optionKeys().contains("path")
                ? ProviderOptions.of("path", db.toString()) : ProviderOptions.empty();
        Store store = registry.createStore(name, options, NodeServices.system());
        store.open();
        return store;
    }

    private static double rawSqliteRate(Path db, List<Operation> ops) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=NORMAL");
                s.execute("CREATE TABLE operations (id BLOB NOT NULL UNIQUE, author BLOB NOT NULL, log_id BLOB NOT NULL,"
                        + " seq INTEGER NOT NULL, header BLOB NOT NULL, body BLOB, UNIQUE (author, log_id, seq))");
            }
            c.setAutoCommit(false);
            // the rows are prepared beforehand: the baseline times SQLite, not our encoding
            int n = ops.size();
            byte[][] ids = new byte[n][];
            byte[][] authors = new byte[n][];
            byte[][] logIds = new byte[n][];
            byte[][] headers = new byte[n][];
            byte[][] bodies = new byte[n][];
            for (int i = 0; i < n; i++) {
                Operation op = ops.get(i);
                ids[i] = op.id().bytes();
                authors[i] = op.author().bytes();
                logIds[i] = op.logId().bytes();
                headers[i] = op.headerBytes();
                bodies[i] = op.body().orElseThrow().bytes();
            }
            long t0 = System.nanoTime();
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO operations (id, author, log_id, seq, header, body) VALUES (?, ?, ?, ?, ?, ?)")) {
                for (int i = 0; i < n; i++) {
                    insert.setBytes(1, ids[i]);
                    insert.setBytes(2, authors[i]);
                    insert.setBytes(3, logIds[i]);
                    insert.setLong(4, ops.get(i).seqNum());
                    insert.setBytes(5, headers[i]);
                    insert.setBytes(6, bodies[i]);
                    insert.addBatch();
                    if ((i + 1) % BATCH == 0 || i == n - 1) {
                        insert.executeBatch();
                        c.commit();
                    }
                }
            }
            return n / seconds(t0);
        }
    }

    /** Reads one long log from seq 0, raw, in pages of 1,000; the median rate of three passes. */
    private static double readRate(Path db, int length) {
        List<Operation> log = interleavedLogs(1, length, 3);
        try (Store store = open("sqlite", db)) {
            for (int i = 0; i < log.size(); i += BATCH) {
                store.insertBatch(log.subList(i, Math.min(log.size(), i + BATCH)));
            }
            Operation first = log.get(0);
            double[] rates = new double[3];
            for (int pass = 0; pass < rates.length; pass++) {
                long t0 = System.nanoTime();
                long read = 0;
                long from = 0;
                while (true) {
                    List<RawOperation> page = store.rawLog(first.author(), first.logId(), from, BATCH);
                    read += page.size();
                    if (page.size() < BATCH) {
                        break;
                    }
                    from = page.get(page.size() - 1).seqNum() + 1;
                }
                if (read != length) {
                    throw new IllegalStateException("read " + read + " of " + length);
                }
                rates[pass] = read / seconds(t0);
            }
            Arrays.sort(rates);
            return rates[1];
        }
    }

    /** CPU time of the whole process (every thread, GC and JIT included), in nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU microseconds per operation of the last timed phase. */
    private static double lastCpuMicrosPerOp;

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static void result(String name, double value, String unit) {
        System.out.printf("RESULT %s %s %s%n", name, unit.equals("ops/s") ? String.format("%.0f", value)
                : String.format("%.3f", value), unit);
    }

    private static void ratio(String name, double value, double goal) {
        result(name, value, "ratio");
        System.out.printf("GOAL %s %.3f >= %.1f %s%n", name, value, goal, value >= goal ? "met" : "not met");
    }

    static double load() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        }
    }


}
