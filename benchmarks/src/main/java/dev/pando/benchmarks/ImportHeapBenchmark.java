package dev.pando.benchmarks;

import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Peak heap of {@code pando store import} into SQLite while it imports 1,000,000 operations
 * (100 authors × 10,000, 200-byte bodies, interleaved) streamed to its stdin: the command runs in a
 * child JVM with {@code -Xmx256m} and a GC log; the peak is the largest heap occupancy at the start
 * of a collection (the heap only grows between collections). Prints {@code RESULT import_peak_heap}
 * (MiB), the largest occupancy left after a collection (what the import really keeps), the import rate, and a GOAL line (peak &lt; 256 MiB). The operations are signed here while
 * they are sent, so the child never sees a file. Usage:
 * {@code ImportHeapBenchmark [--quick] [--operations N]} (--quick: 20,000 operations).
 */
public final class ImportHeapBenchmark {
    static final int AUTHORS = 100;
    private static final int BODY = 200;
    private static final Pattern GC_PAUSE = Pattern.compile("Pause.* (\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private ImportHeapBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> argList = Arrays.asList(args);
        boolean quick = argList.contains("--quick");
        int perLog = quick ? 200 : 10_000;
        int at = argList.indexOf("--operations");
        if (at >= 0 && at + 1 < args.length) {
            perLog = Math.max(1, Integer.parseInt(args[at + 1]) / AUTHORS);
        }
        long total = (long) AUTHORS * perLog;
        Path tmp = Files.createTempDirectory("pando-import-heap");
        Path gcLog = tmp.resolve("gc.log");
        Path db = tmp.resolve("import.db");
        List<String> command = pando(List.of("-Xmx256m", "-Xlog:gc:file=" + gcLog), "store", "import", "--db", db.toString());
        System.out.printf("# import heap: %,d operations into SQLite through pando store import, -Xmx256m, load %.1f%n",
                total, IngestBenchmarks.load());
        Process child = new ProcessBuilder(command).redirectError(tmp.resolve("stderr.txt").toFile()).start();
        long t0 = System.nanoTime();
        try (OutputStream out = new BufferedOutputStream(child.getOutputStream(), 1 << 16)) {
            send(out, perLog, LogId.fromHex("1e"));
        }
        String result = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!child.waitFor(1, TimeUnit.HOURS) || child.exitValue() != 0) {
            throw new IllegalStateException("pando store import failed: " + result + "\n"
                    + Files.readString(tmp.resolve("stderr.txt")));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!result.contains("\"stored\":" + total + ",")) {
            throw new IllegalStateException("the import did not store all " + total + " operations: " + result);
        }
        GcPeaks gc = GcPeaks.of(gcLog);
        long peak = gc.peak();
        long live = gc.live();
        int collections = gc.collections();
        System.out.println("# " + result);
        System.out.printf("# %d collections in the GC log; database %,d bytes; load at the end %.1f%n", collections,
                Files.size(db), IngestBenchmarks.load());
        System.out.printf("RESULT import_peak_heap %d MiB%n", peak);
        System.out.printf("RESULT import_operations %d ops%n", total);
        System.out.printf("RESULT import_heap_after_gc_max %d MiB%n", live);
        System.out.printf("RESULT import_rate %.0f ops/s%n", total / seconds);
        System.out.printf("GOAL import_peak_heap %d < 256 %s%n", peak, peak < 256 && collections > 0 ? "met" : "not met");
        try (var files = Files.list(tmp)) {
            files.forEach(p -> p.toFile().delete());
        }
        Files.deleteIfExists(tmp);
    }

    /**
     * The command that runs the {@code pando} command line ({@code args}) in a child JVM with
     * {@code jvmOptions}, from this JVM's module path (or class path).
     */
    static List<String> pando(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(jvmOptions);
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null) {
            // ALL-MODULE-PATH: Netty's native QUIC too, which nothing requires
            command.addAll(List.of("--add-modules", "ALL-MODULE-PATH", "-p", modulePath, "-m", "dev.pando.examples/dev.pando.examples.Pando"));
        } else {
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.pando.examples.Pando"));
        }
        command.addAll(List.of(args));
        return command;
    }

    /**
     * What a {@code -Xlog:gc} log says: the largest heap occupancy at the start of a collection
     * (the heap only grows between collections: the peak), the largest left after one (what the
     * program really keeps), and how many collections there were.
     */
    record GcPeaks(long peak, long live, int collections) {
        static GcPeaks of(Path gcLog) throws IOException {
            long peak = 0;
            long live = 0;
            int collections = 0;
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = GC_PAUSE.matcher(line);
                if (m.find()) {
                    collections++;
                    peak = Math.max(peak, Long.parseLong(m.group(1)));
                    live = Math.max(live, Long.parseLong(m.group(2)));
                }
            }
            return new GcPeaks(peak, live, collections);
        }
    }

    /**
     * Signs and writes the JSON lines ({@code pando store import}'s input) round by round: seq s of
     * every one of {@link #AUTHORS} authors, signed in parallel, all in log {@code logId}.
     */
    static void send(OutputStream out, int perLog, LogId logId) throws IOException {
        HexFormat hex = HexFormat.of();
        Random random = new Random(4);
        PrivateKey[] keys = new PrivateKey[AUTHORS];
        Operation[] latest = new Operation[AUTHORS];
        for (int a = 0; a < AUTHORS; a++) {
            byte[] seed = new byte[32];
            random.nextBytes(seed);
            keys[a] = PrivateKey.fromBytes(seed);
        }
        for (int s = 0; s < perLog; s++) {
            int seq = s;
            IntStream.range(0, AUTHORS).parallel().forEach(a -> {
                byte[] body = new byte[BODY];
                new Random(a * 1_000_003L + seq).nextBytes(body);
                var b = Operation.builder(keys[a]).timestamp(1_700_000_000_000_000L + seq).body(body);
                latest[a] = (latest[a] == null ? b.logId(logId) : b.after(latest[a])).build();
            });
            for (Operation op : latest) {
                String line = "{\"header\":\"" + hex.formatHex(op.headerBytes()) + "\",\"body\":\""
                        + hex.formatHex(op.body().orElseThrow().bytes()) + "\"}\n";
                out.write(line.getBytes(StandardCharsets.US_ASCII));
            }
        }
    }
}
