package dev.pando.benchmarks;

import dev.pando.LogId;
import dev.pando.TopicId;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue 9's bounded-memory check: {@code N} operations (default 1,000,000: 100 authors × 10,000,
 * 200-byte bodies) of one topic synced from one {@code pando node} to a fresh one whose JVM runs with
 * {@code -Xmx256m} and a GC log, SQLite on both sides, log-sync over quic-netty on loopback. The
 * sender's database is filled first by {@code pando store import} (operations signed here while
 * they are sent). Prints the operations the receiver stored, its rate over the sessions, its peak
 * heap and the most it kept after a collection (from the GC log), and a GOAL line. Usage:
 * {@code SyncHeapBenchmark [--quick] [--operations N]} (--quick: 20,000 operations).
 */
public final class SyncHeapBenchmark {
    private static final String TOPIC = "benchmark/sync-heap";
    private static final Pattern ADDRESS = Pattern.compile("\"address\":\"([^\"]+)\"");
    private static final Pattern OPERATIONS_IN = Pattern.compile("\"operations_in\":(\\d+)");
    private static final Pattern MILLIS = Pattern.compile("\"ms\":(\\d+)");

    private SyncHeapBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> argList = Arrays.asList(args);
        int perLog = argList.contains("--quick") ? 200 : 10_000;
        int at = argList.indexOf("--operations");
        if (at >= 0 && at + 1 < args.length) {
            perLog = Math.max(1, Integer.parseInt(args[at + 1]) / ImportHeapBenchmark.AUTHORS);
        }
        long total = (long) ImportHeapBenchmark.AUTHORS * perLog;
        Path tmp = Files.createTempDirectory("pando-sync-heap");
        Path source = tmp.resolve("a.db");
        Path target = tmp.resolve("b.db");
        Path gcLog = tmp.resolve("gc.log");
        System.out.printf("# sync heap: %,d operations from one pando node to a fresh one at -Xmx256m, SQLite both sides, "
                + "quic-netty loopback, load %.1f%n", total, IngestBenchmarks.load());
        try {
            fill(source, perLog, total);
            Process sender = new ProcessBuilder(ImportHeapBenchmark.pando(List.of(), "node", "--db", source.toString(),
                    "--topic", TOPIC, "--bind", "127.0.0.1")).redirectError(tmp.resolve("sender.err").toFile()).start();
            try {
                BufferedReader senderOut = reader(sender);
                String address = find(senderOut, ADDRESS, "the sender's address");
                drain(senderOut); // its events are not needed, but a full pipe would stop it
                Process receiver = new ProcessBuilder(ImportHeapBenchmark.pando(List.of("-Xmx256m", "-Xlog:gc:file=" + gcLog),
                        "node", "--db", target.toString(), "--topic", TOPIC, "--bind", "127.0.0.1", "--peer", address))
                        .redirectError(tmp.resolve("receiver.err").toFile()).start();
                try {
                    BufferedReader in = reader(receiver);
                    long received = 0;
                    long sessionMillis = 0;
                    long t0 = System.nanoTime();
                    String line;
                    while (received < total && (line = in.readLine()) != null) {
                        if (line.contains("\"event\":\"sync_finished\"")) {
                            received += number(OPERATIONS_IN, line);
                            sessionMillis += number(MILLIS, line);
                        } else if (line.contains("\"event\":\"sync_failed\"")) {
                            System.out.println("# " + line);
                        }
                    }
                    double wall = (System.nanoTime() - t0) / 1e9;
                    receiver.getOutputStream().close(); // EOF: the node stops
                    receiver.waitFor(60, TimeUnit.SECONDS);
                    var gc = ImportHeapBenchmark.GcPeaks.of(gcLog);
                    System.out.printf("# the receiver stored %,d operations in %.1f s of sessions (%.1f s from start); %d collections;"
                            + " database %,d bytes; load at the end %.1f%n", received, sessionMillis / 1e3, wall, gc.collections(),
                            Files.size(target), IngestBenchmarks.load());
                    if (received < total) {
                        System.out.println("# receiver stderr: " + Files.readString(tmp.resolve("receiver.err")));
                    }
                    System.out.printf("RESULT sync_heap_operations %d ops%n", received);
                    System.out.printf("RESULT sync_heap_rate %.0f ops/s%n", received / Math.max(1e-3, sessionMillis / 1e3));
                    System.out.printf("RESULT sync_heap_receiver_peak_heap %d MiB%n", gc.peak());
                    System.out.printf("RESULT sync_heap_receiver_heap_after_gc_max %d MiB%n", gc.live());
                    boolean met = received == total && gc.collections() > 0 && gc.peak() < 256;
                    System.out.printf("GOAL %,d operations synced with the receiver at -Xmx256m: %s%n", total, met ? "met" : "missed");
                    if (received < total) {
                        System.exit(1);
                    }
                } finally {
                    receiver.destroy();
                }
            } finally {
                sender.getOutputStream().close();
                if (!sender.waitFor(60, TimeUnit.SECONDS)) {
                    sender.destroy();
                }
            }
        } finally {
            try (var files = Files.list(tmp)) {
                files.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(tmp);
        }
    }

    /** The sender's database: {@code pando store import} of the operations, signed while they are sent. */
    private static void fill(Path db, int perLog, long total) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Process child = new ProcessBuilder(ImportHeapBenchmark.pando(List.of(), "store", "import", "--db", db.toString()))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream out = new BufferedOutputStream(child.getOutputStream(), 1 << 16)) {
            ImportHeapBenchmark.send(out, perLog, LogId.forTopic(TopicId.named(TOPIC)));
        }
        String result = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!child.waitFor(1, TimeUnit.HOURS) || child.exitValue() != 0 || !result.contains("\"stored\":" + total + ",")) {
            throw new IllegalStateException("filling the sender's database failed: " + result);
        }
        System.out.printf("# the sender's database: %,d operations imported in %.1f s%n", total, (System.nanoTime() - t0) / 1e9);
    }

    private static void drain(BufferedReader in) {
        Thread t = new Thread(() -> {
            try {
                while (in.readLine() != null) {
                    // discarded
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "drain");
        t.setDaemon(true);
        t.start();
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private static String find(BufferedReader in, Pattern pattern, String what) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            Matcher m = pattern.matcher(line);
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new IllegalStateException("the node ended before printing " + what);
    }

    private static long number(Pattern pattern, String line) {
        Matcher m = pattern.matcher(line);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
