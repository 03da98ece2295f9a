package dev.pando.benchmarks;

import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import dev.pando.TopicId;
import dev.pando.node.EventStream;
import dev.pando.node.Ingest;
import dev.pando.node.IngestInput;
import dev.pando.node.IngestResult;
import dev.pando.node.Node;
import dev.pando.node.NodeEvent;
import dev.pando.node.ProviderRegistry;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code benchmarks/run sync}: N operations (50 authors, 200-byte bodies, default 100,000) of one
 * topic from a node to a fresh one, SQLite on both sides, log-sync over quic-netty on loopback.
 * Prints the sync rate (operations stored by the receiver per second of the session, as its
 * {@code SyncFinished} reports) beside a baseline measured in the same run: importing the same
 * operations into a fresh SQLite store through the ingest pipeline in batches of 1,000 (what
 * {@code pando store import} does, without its JSON parsing). If hypercore's benchmark is installed
 * ({@code ../shared/peers/setup.sh}, in {@code $PEER_BENCH_DIR} or /tmp/peer-bench) it runs it too
 * with the same shape ({@code --n N --size 200 --storage disk}) and prints its entries/s.
 * With {@code --runs N} the sync and hypercore's run alternate N times (each sync into a fresh
 * store) and their medians are compared: both drift by a quarter between runs on this machine.
 * Except with {@code --quick}, one unmeasured sync of the same size runs first (the JIT compiles
 * the sync path for seconds of CPU on first use), and its rate is printed as a comment.
 * Usage: {@code SyncBenchmark [--quick] [--operations N] [--runs N] [--no-hypercore]}.
 */
public final class SyncBenchmark {
    private static final int AUTHORS = 50;
    private static final int BODY = 200;
    private static final int BATCH = 1000;

    private SyncBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> argList = Arrays.asList(args);
        boolean quick = argList.contains("--quick");
        int total = quick ? 5_000 : 100_000;
        int at = argList.indexOf("--operations");
        if (at >= 0 && at + 1 < args.length) {
            total = Integer.parseInt(args[at + 1]);
        }
        int runsAt = argList.indexOf("--runs");
        int runs = runsAt >= 0 && runsAt + 1 < args.length ? Math.max(1, Integer.parseInt(args[runsAt + 1])) : 1;
        boolean withHypercore = !argList.contains("--no-hypercore");
        int perLog = Math.max(1, total / AUTHORS);
        total = perLog * AUTHORS;
        TopicId topic = TopicId.named("benchmark/sync");
        System.out.printf("# sync: %,d operations (%d authors, %d-byte bodies), SQLite both sides, quic-netty loopback, load %s%n",
                total, AUTHORS, BODY, Files.readString(Path.of("/proc/loadavg")).trim());
        List<Operation> ops = operations(topic, perLog);
        Path dir = Files.createTempDirectory("pando-sync-bench");
        try {
            Store source = sqlite(dir.resolve("a.db"));
            source.open();
            try (Ingest ingest = Ingest.create(source)) {
                for (int i = 0; i < ops.size(); i += BATCH) {
                    ingest.ingestBatch(inputs(ops.subList(i, Math.min(ops.size(), i + BATCH))));
                }
            }
            source.close();
            if (!quick) {
                // the JIT compiles the sync path (QUIC, Netty, the sync protocol) for seconds of CPU
                // on first use; one unmeasured sync first, as a long-running node is warm
                double warm = syncOnce(dir, topic, total, -1);
                System.out.printf("# warm-up sync (not counted): %.0f ops/s%n", warm);
            }
            double[] syncRates = new double[runs];
            List<Double> hypercoreRates = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                syncRates[r] = syncOnce(dir, topic, total, r);
                if (withHypercore) {
                    Optional<Double> h = hypercore(total);
                    h.ifPresent(rate -> System.out.printf("# run %d: hypercore %.0f entries/s%n", hypercoreRates.size() + 1, rate));
                    h.ifPresent(hypercoreRates::add);
                }
            }
            double syncRate = median(syncRates);
            System.out.println(new Figure("sync_rate", syncRate, spread(syncRates), "ops/s").line());
            // the baseline after the sync, so both run in a warm JVM (JIT-compiled pipeline)
            double importRate = importRate(ops, dir.resolve("import.db"));
            System.out.println(new Figure("sync_local_import_rate", importRate, 0, "ops/s").line());
            double ratio = syncRate / importRate;
            System.out.println(new Figure("sync_vs_local_import", ratio, 0, "x").line());
            System.out.printf("GOAL sync >= 0.9x local import: %s (%.2fx)%n", ratio >= 0.9 ? "met" : "missed", ratio);
            if (!hypercoreRates.isEmpty()) {
                double[] h = hypercoreRates.stream().mapToDouble(Double::doubleValue).toArray();
                double rate = median(h);
                System.out.println(new Figure("sync_hypercore_rate", rate, spread(h), "entries/s").line());
                System.out.printf("GOAL sync >= 1.4x hypercore: %s (%.2fx%s)%n", syncRate >= 1.4 * rate ? "met" : "missed",
                        syncRate / rate, runs > 1 ? ", medians of " + runs + " alternating runs" : "");
            }
        } finally {
            deleteTree(dir);
        }
    }

    /** One sync of the {@code total} operations in a.db into a fresh store; its ops/s. */
    private static double syncOnce(Path dir, TopicId topic, int total, int run) throws Exception {
        try (Node a = Node.builder().store("sqlite", ProviderOptions.of("path", dir.resolve("a.db").toString()))
                .bind(new InetSocketAddress("127.0.0.1", 0)).noGossip().build().start();
             Node b = Node.builder().store("sqlite", ProviderOptions.of("path", dir.resolve(run < 0 ? "b-warm-up.db" : "b-" + run + ".db").toString()))
                     .bind(new InetSocketAddress("127.0.0.1", 0)).noGossip().build().start()) {
            a.subscribe(topic);
            EventStream events = b.eventStream();
            b.subscribe(topic);
            long started = System.nanoTime();
            b.addPeer(a.address());
            long received = 0;
            long sessionNanos = 0;
            while (received < total) {
                Optional<NodeEvent.SyncFinished> done = events.await(NodeEvent.SyncFinished.class,
                        e -> e.operationsIn() > 0, Duration.ofMinutes(10));
                if (done.isEmpty()) {
                    throw new IllegalStateException("no sync session delivered operations in 10 minutes ("
                            + received + " of " + total + ")");
                }
                received += done.get().operationsIn();
                sessionNanos += done.get().duration().toNanos();
            }
            double wall = (System.nanoTime() - started) / 1e9;
            double rate = received / (sessionNanos / 1e9);
            if (run < 0) {
                return rate;
            }
            if (run == 0) {
                System.out.println(new Figure("sync_wall_rate", received / wall, 0, "ops/s").line());
            }
            System.out.printf("# run %d: sync %,d operations in %.2f s of sessions (%.0f ops/s), %.2f s from addPeer to the last session's end%n",
                    run + 1, received, sessionNanos / 1e9, rate, wall);
            return rate;
        }
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Half the range of {@code values} (0 for one run). */
    private static double spread(double[] values) {
        return (Arrays.stream(values).max().orElse(0) - Arrays.stream(values).min().orElse(0)) / 2;
    }

    private static List<Operation> operations(TopicId topic, int perLog) {
        Random random = new Random(42);
        List<List<Operation>> logs = new ArrayList<>();
        for (int a = 0; a < AUTHORS; a++) {
            PrivateKey key = PrivateKey.fromBytes(seed(random));
            List<Operation> log = new ArrayList<>(perLog);
            Operation previous = null;
            for (int i = 0; i < perLog; i++) {
                byte[] body = new byte[BODY];
                random.nextBytes(body);
                var b = Operation.builder(key).logId(LogId.forTopic(topic)).body(body).timestamp(1_700_000_000_000_000L + i);
                if (previous != null) {
                    b.after(previous);
                }
                previous = b.build();
                log.add(previous);
            }
            logs.add(log);
        }
        // interleaved by seq, as a peer would send them
        List<Operation> all = new ArrayList<>(AUTHORS * perLog);
        for (int i = 0; i < perLog; i++) {
            for (List<Operation> log : logs) {
                all.add(log.get(i));
            }
        }
        return all;
    }

    private static byte[] seed(Random random) {
        byte[] s = new byte[32];
        random.nextBytes(s);
        return s;
    }

    private static Store sqlite(Path path) {
        return ProviderRegistry.load().createStore("sqlite", ProviderOptions.of("path", path.toString()), NodeServices.system());
    }

    private static List<IngestInput> inputs(List<Operation> ops) {
        List<IngestInput> in = new ArrayList<>(ops.size());
        for (Operation op : ops) {
            in.add(IngestInput.of(op.headerBytes(), op.body().orElseThrow().bytes()));
        }
        return in;
    }

    /** Operations per second into a fresh SQLite store through the pipeline. */
    private static double importRate(List<Operation> ops, Path db) {
        Store store = sqlite(db);
        store.open();
        long start = System.nanoTime();
        long stored = 0;
        try (Ingest ingest = Ingest.create(store)) {
            for (int i = 0; i < ops.size(); i += BATCH) {
                for (IngestResult r : ingest.ingestBatch(inputs(ops.subList(i, Math.min(ops.size(), i + BATCH))))) {
                    if (r instanceof IngestResult.Inserted ins) {
                        stored += 1 + ins.released().size();
                    }
                }
            }
        } finally {
            store.close();
        }
        if (stored != ops.size()) {
            throw new IllegalStateException("the import stored " + stored + " of " + ops.size());
        }
        return stored / ((System.nanoTime() - start) / 1e9);
    }

    /** hypercore's replication rate with the same shape, if its benchmark is installed. */
    private static Optional<Double> hypercore(int n) throws IOException, InterruptedException {
        Path dir = Path.of(Optional.ofNullable(System.getenv("PEER_BENCH_DIR")).orElse("/tmp/peer-bench"));
        if (!Files.isRegularFile(dir.resolve("hypercore-bench.js")) || !Files.isDirectory(dir.resolve("node_modules"))) {
            System.out.println("# hypercore: not installed in " + dir + " (bash ../shared/peers/setup.sh); skipped");
            return Optional.empty();
        }
        Process p = new ProcessBuilder("node", "hypercore-bench.js", "--runs", "1", "--storage", "disk", "--n",
                String.valueOf(n), "--size", String.valueOf(BODY)).directory(dir.toFile()).redirectErrorStream(true).start();
        // one JSON line per run: {"run": 1, "storage": "disk", …, "replEntriesPerSec": 7000.1, …}
        Pattern rate = Pattern.compile("\"run\".*\"replEntriesPerSec\":\\s*([0-9.]+)");
        Double found = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.out.println("# hypercore: " + line);
                Matcher m = rate.matcher(line);
                if (m.find()) {
                    found = Double.parseDouble(m.group(1));
                }
            }
        }
        int exit = p.waitFor();
        if (exit != 0 || found == null) {
            System.out.println("# hypercore: exit " + exit + ", no replication rate found in its output; skipped");
            return Optional.empty();
        }
        return Optional.of(found);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
