package dev.pando.benchmarks;

import dev.pando.Operation;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code pando store import} end to end, as a user runs it ({@code ./pando} of the checkout in the
 * working directory or its parent, else this JVM's module path): a child JVM reads 100,000 JSON lines
 * (50 authors × 2,000 operations, 200-byte bodies, interleaved) from a file on stdin and ingests
 * them into the "memory" and the "sqlite" store; the wall time runs from starting the child to its
 * exit (JVM start-up, reading, JSON, verifying, storing). Baseline in the same run: BouncyCastle's
 * single-thread verify of the same operations in this (warmed) JVM, and the start-up of the same
 * command on an empty input. Goals (issue 11): memory import at least 1.6x and SQLite import at
 * least 1.3x the single-thread verify rate. Usage: {@code StoreImportBenchmark [--quick]
 * [--child-jvm "OPTIONS"]} (--quick: 10,000 operations; --child-jvm: JVM options for the imports,
 * e.g. a JFR recording, space-separated).
 */
public final class StoreImportBenchmark {
    private static final int AUTHORS = 50;
    private static List<String> childJvm = List.of();
    private static Path launcher;

    private StoreImportBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        int total = quick ? 10_000 : 100_000;
        int at = Arrays.asList(args).indexOf("--child-jvm");
        if (at >= 0 && at + 1 < args.length) {
            childJvm = List.of(args[at + 1].trim().split("\\s+"));
        }
        System.out.printf(Locale.ROOT, "# pando store import end to end: %,d operations, %d authors, 200-byte bodies, %d cores, load %.1f%n",
                total, AUTHORS, Runtime.getRuntime().availableProcessors(), IngestBenchmarks.load());
        for (Path p : List.of(Path.of("pando"), Path.of("..", "pando"))) {
            if (launcher == null && Files.isExecutable(p) && Files.exists(p.resolveSibling("examples"))) {
                launcher = p.toAbsolutePath().normalize();
            }
        }
        if (launcher != null) {
            // the first run may build the command line and make its class-data archive: not timed
            Process warm = new ProcessBuilder(launcher.toString(), "--version").redirectErrorStream(true).start();
            warm.getInputStream().readAllBytes();
            warm.waitFor();
        }
        System.out.println("# command: " + (launcher != null ? launcher + " (the launcher script)" : "java -m dev.pando.examples (this module path)"));
        Path tmp = Files.createTempDirectory("pando-import-e2e");
        try {
            List<Operation> ops = IngestBenchmarks.interleavedLogs(AUTHORS, total / AUTHORS, 5);
            Path lines = tmp.resolve("ops.jsonl");
            write(lines, ops);
            Path empty = tmp.resolve("empty.jsonl");
            Files.write(empty, new byte[0]);

            IngestBenchmarks.verifyRate(IngestBenchmarks.interleavedLogs(AUTHORS, Math.max(10, total / AUTHORS / 5), 6));
            double verify = IngestBenchmarks.verifyRate(ops);
            double startup = run(tmp, "memory", empty, 0);
            double memorySeconds = run(tmp, "memory", lines, total);
            double sqliteSeconds = run(tmp, "sqlite", lines, total);
            double memory = total / memorySeconds;
            double sqlite = total / sqliteSeconds;
            System.out.printf(Locale.ROOT, "RESULT raw_ed25519_verify_1t %.0f ops/s%n", verify);
            System.out.printf(Locale.ROOT, "RESULT import_startup %.2f s%n", startup);
            System.out.printf(Locale.ROOT, "RESULT import_e2e_memory %.0f ops/s%n", memory);
            System.out.printf(Locale.ROOT, "RESULT import_e2e_sqlite %.0f ops/s%n", sqlite);
            System.out.printf(Locale.ROOT, "RESULT import_e2e_memory_vs_verify_1t %.3f ratio%n", memory / verify);
            System.out.printf(Locale.ROOT, "RESULT import_e2e_sqlite_vs_verify_1t %.3f ratio%n", sqlite / verify);
            System.out.printf(Locale.ROOT, "RESULT import_memory_after_startup %.0f ops/s%n", total / (memorySeconds - startup));
            System.out.printf(Locale.ROOT, "RESULT import_sqlite_after_startup %.0f ops/s%n", total / (sqliteSeconds - startup));
            goal("import_e2e_memory_vs_verify_1t", memory / verify, 1.6);
            goal("import_e2e_sqlite_vs_verify_1t", sqlite / verify, 1.3);
            System.out.printf(Locale.ROOT, "# load average at the end: %.1f%n", IngestBenchmarks.load());
        } finally {
            try (var files = Files.list(tmp)) {
                files.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(tmp);
        }
    }

    private static void goal(String name, double value, double atLeast) {
        System.out.printf(Locale.ROOT, "GOAL %s %.3f >= %s %s%n", name, value, atLeast, value >= atLeast ? "met" : "not met");
    }

    private static void write(Path file, List<Operation> ops) throws IOException {
        HexFormat hex = HexFormat.of();
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (Operation op : ops) {
                String line = "{\"header\":\"" + hex.formatHex(op.headerBytes()) + "\",\"body\":\""
                        + hex.formatHex(op.body().orElseThrow().bytes()) + "\"}\n";
                out.write(line.getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    /** Runs {@code pando store import} on {@code input}; its wall time in seconds. */
    private static double run(Path tmp, String store, Path input, int expected) throws Exception {
        Path db = tmp.resolve(store + "-" + System.nanoTime() + ".db");
        String[] args = {"store", "import", "--store", store, "--db", db.toString(), "--no-progress"};
        List<String> command = new ArrayList<>();
        if (launcher != null) {
            command.add(launcher.toString());
            command.addAll(List.of(args));
        } else {
            command.addAll(ImportHeapBenchmark.pando(childJvm, args));
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(input.toFile())
                .redirectError(tmp.resolve("stderr.txt").toFile());
        if (launcher != null && !childJvm.isEmpty()) {
            pb.environment().put("PANDO_JAVA_OPTS", String.join(" ", childJvm));
        }
        long t0 = System.nanoTime();
        Process child = pb.start();
        String result = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!child.waitFor(1, TimeUnit.HOURS) || child.exitValue() != 0) {
            throw new IllegalStateException("pando store import failed: " + result + "\n" + Files.readString(tmp.resolve("stderr.txt")));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!result.contains("\"stored\":" + expected + ",")) {
            throw new IllegalStateException("the import did not store all " + expected + " operations: " + result);
        }
        System.out.printf(Locale.ROOT, "# %s, %d lines: %.2f s: %s%n", store, expected, seconds, result);
        return seconds;
    }
}
