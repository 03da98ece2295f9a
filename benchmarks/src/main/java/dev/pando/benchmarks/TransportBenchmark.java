package dev.pando.benchmarks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end transport benchmark on loopback: Pando's "quic" (kwik) and "quic-netty" providers
 * next to raw kwik, raw Netty QUIC and plain TCP, in one JVM, with one harness. Metrics:
 * <ul>
 *   <li>{@code handshake}: median and p90 of fresh connections, ms (what each stack's handshake
 *       includes is said on its class);</li>
 *   <li>{@code bulk}: one stream, client to server, MB/s (10^6 bytes), timed until the server's
 *       byte count came back;</li>
 *   <li>{@code rr}: 1 KiB request, 1 KiB echo, on one stream, round trips per second;</li>
 *   <li>{@code streams}: open a stream, write 1 KiB, half-close, read the 1 KiB echo to its end,
 *       close; streams per second, one after another.</li>
 * </ul>
 * Each of bulk, rr and streams runs {@code runs} times at a small size per stack (a fresh server
 * and client each run), stacks interleaved run by run, to count stalls; then once at the headline
 * size. A run stalls when no byte moved for the stall deadline: the watchdog closes its client,
 * records the stall and moves on. Handshakes: every one of the fresh connections must complete
 * within the same deadline. Usage: {@code TransportBenchmark [--quick] [--runs N] [--stall-seconds S]
 * [--stacks quic,quic-netty,raw-kwik,raw-netty,tcp] [--metrics handshake,bulk,rr,streams]}.
 */
public final class TransportBenchmark {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;

    /** Sizes of one benchmark session; {@code bulkHeadlineKwik} applies to both kwik stacks. */
    record Plan(int runs, long stallMillis, int handshakes, long bulkSmall, long bulkHeadline, long bulkHeadlineKwik,
            int rrSmall, int rrHeadline, int streamsSmall, int streamsHeadline) {
        static Plan standard() {
            return new Plan(20, 5_000, 50, 16L * MIB, 256L * MIB, 64L * MIB, 2_000, 10_000, 200, 2_000);
        }

        static Plan quick() {
            return new Plan(2, 5_000, 5, MIB, 4L * MIB, 4L * MIB, 200, 1_000, 20, 200);
        }

        long bulkHeadline(String stack) {
            return stack.contains("kwik") || stack.equals("quic") ? bulkHeadlineKwik : bulkHeadline;
        }
    }

    /** What one run produced: a figure, a stall, or a failure (an error that was not a stall). */
    record Outcome(double value, boolean stalled, String failure) {
        boolean ok() {
            return !stalled && failure == null;
        }
    }

    private final Plan plan;
    private final ExecutorService runners;
    private final java.util.function.Consumer<String> out;
    /** Stalled runs and all runs per stack over every metric, for the zero-stall goal. */
    private final Map<String, long[]> stallTotals = new LinkedHashMap<>();
    /** Medians of the completed small runs, by metric and stack. */
    private final Map<String, Map<String, Double>> smallMedians = new LinkedHashMap<>();

    TransportBenchmark(Plan plan, java.util.function.Consumer<String> out) {
        this.plan = plan;
        this.out = out;
        this.runners = Executors.newCachedThreadPool(daemons("transport-bench-run-"));
    }

    static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true); // a run abandoned as stalled must not keep the JVM alive
            return t;
        };
    }

    public static void main(String[] args) {
        Plan plan = Plan.standard();
        List<String> names = List.of("quic", "quic-netty", "raw-kwik", "raw-netty", "tcp");
        List<String> metrics = METRICS;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> plan = Plan.quick();
                    case "--runs" -> plan = withRuns(plan, Integer.parseInt(args[++i]));
                    case "--stall-seconds" -> plan = withStall(plan, Long.parseLong(args[++i]) * 1000);
                    case "--stacks" -> names = Arrays.asList(args[++i].split(","));
                    case "--metrics" -> {
                        metrics = Arrays.asList(args[++i].split(","));
                        if (!METRICS.containsAll(metrics)) {
                            throw new IllegalArgumentException("unknown metric in " + metrics);
                        }
                    }
                    default -> throw new IllegalArgumentException(args[i]);
                }
            }
        } catch (RuntimeException e) {
            System.err.println("usage: TransportBenchmark [--quick] [--runs N] [--stall-seconds S] "
                    + "[--stacks quic,quic-netty,raw-kwik,raw-netty,tcp] [--metrics handshake,bulk,rr,streams]");
            System.exit(2);
        }
        ExecutorService workers = Executors.newCachedThreadPool(daemons("transport-bench-server-"));
        int status;
        try {
            List<TransportStack> stacks = new ArrayList<>();
            for (String name : names) {
                stacks.add(stack(name, workers));
            }
            TransportBenchmark benchmark = new TransportBenchmark(plan, System.out::println);
            Map<String, Map<String, Outcome>> headline = benchmark.runAll(stacks, metrics);
            status = headline.isEmpty() ? 1 : 0;
        } catch (RuntimeException e) {
            e.printStackTrace();
            status = 1;
        }
        // runs abandoned as stalled may leave library threads behind: exit explicitly
        System.exit(status);
    }

    static TransportStack stack(String name, ExecutorService workers) {
        return switch (name) {
            case "quic", "quic-netty" -> new TransportPandoStack(name, workers);
            case "raw-kwik" -> new TransportRawKwikStack(workers);
            case "raw-netty" -> new TransportRawNettyStack(workers);
            case "tcp" -> new TransportTcpStack(workers);
            default -> throw new IllegalArgumentException("unknown stack " + name);
        };
    }

    private static Plan withRuns(Plan p, int runs) {
        return new Plan(runs, p.stallMillis, p.handshakes, p.bulkSmall, p.bulkHeadline, p.bulkHeadlineKwik,
                p.rrSmall, p.rrHeadline, p.streamsSmall, p.streamsHeadline);
    }

    private static Plan withStall(Plan p, long millis) {
        return new Plan(p.runs, millis, p.handshakes, p.bulkSmall, p.bulkHeadline, p.bulkHeadlineKwik,
                p.rrSmall, p.rrHeadline, p.streamsSmall, p.streamsHeadline);
    }

    /**
     * Runs every metric on every stack and prints the RESULT lines.
     *
     * @return headline outcomes by metric and stack name
     */
    Map<String, Map<String, Outcome>> runAll(List<TransportStack> stacks) {
        return runAll(stacks, METRICS);
    }

    /** Every metric this benchmark knows, in the order it runs them. */
    static final List<String> METRICS = List.of("handshake", "bulk", "rr", "streams");

    /** Runs the named metrics (a subset of {@link #METRICS}) on every stack and prints the RESULT lines. */
    Map<String, Map<String, Outcome>> runAll(List<TransportStack> stacks, List<String> only) {
        out.accept(String.format(Locale.ROOT,
                "# plan: %d stall-count runs per metric; bulk %d MiB per run (headline %d MiB, %d MiB for the kwik stacks); "
                        + "rr %d round trips (headline %d); streams %d (headline %d); %d handshakes; stall = %d ms without progress",
                plan.runs, plan.bulkSmall / MIB, plan.bulkHeadline / MIB, plan.bulkHeadlineKwik / MIB, plan.rrSmall,
                plan.rrHeadline, plan.streamsSmall, plan.streamsHeadline, plan.handshakes, plan.stallMillis));
        Map<String, Map<String, Outcome>> headline = new LinkedHashMap<>();
        if (only.contains("handshake")) {
            handshakes(stacks, headline);
        }
        String[][] metrics = {{"bulk", "MB/s"}, {"rr", "rt/s"}, {"streams", "streams/s"}};
        for (String[] metric : metrics) {
            String m = metric[0];
            if (!only.contains(m)) {
                continue;
            }
            Map<String, List<Outcome>> small = new LinkedHashMap<>();
            for (int r = 0; r < plan.runs; r++) {
                for (TransportStack s : stacks) {
                    small.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(run(s, m, smallSize(m)));
                }
            }
            for (TransportStack s : stacks) {
                Outcome h = run(s, m, headlineSize(m, s.name()));
                headline.computeIfAbsent(m, k -> new LinkedHashMap<>()).put(s.name(), h);
                report(s.name(), m, metric[1], headlineSize(m, s.name()), h, small.get(s.name()));
            }
        }
        ratios(headline);
        for (String pando : List.of("quic", "quic_netty")) {
            long[] total = stallTotals.get(pando);
            if (total != null) {
                out.accept("GOAL transport_" + pando + "_stalled_runs " + total[0] + " <= 0 "
                        + (total[0] == 0 ? "met" : "not met") + " (of " + total[1] + " bulk, rr and streams runs)");
            }
        }
        return headline;
    }

    private long smallSize(String metric) {
        return switch (metric) {
            case "bulk" -> plan.bulkSmall;
            case "rr" -> plan.rrSmall;
            default -> plan.streamsSmall;
        };
    }

    private long headlineSize(String metric, String stack) {
        return switch (metric) {
            case "bulk" -> plan.bulkHeadline(stack);
            case "rr" -> plan.rrHeadline;
            default -> plan.streamsHeadline;
        };
    }

    private void report(String stack, String metric, String unit, long size, Outcome headline, List<Outcome> small) {
        String prefix = "transport_" + stack + "_";
        String sizeNote = sizeNote(metric, size);
        double[] values = small.stream().filter(Outcome::ok).mapToDouble(Outcome::value).sorted().toArray();
        if (headline.ok()) {
            result(prefix + metric, headline.value(), unit + " (" + sizeNote + ")");
        } else if (values.length > 0) {
            result(prefix + metric, percentile(values, 0.5),
                    unit + " (median of the small runs: the " + sizeNote + " run " + describe(headline) + ")");
        } else {
            out.accept("RESULT " + prefix + metric + " none " + unit + " (every run " + describe(headline) + ")");
        }
        if (values.length > 0) {
            smallMedians.computeIfAbsent(metric, k -> new LinkedHashMap<>()).put(stack, percentile(values, 0.5));
            result(prefix + metric + "_small_median", percentile(values, 0.5),
                    unit + " (median of " + values.length + " completed runs of " + sizeNote(metric, smallSize(metric)) + ")");
        }
        long stalls = small.stream().filter(Outcome::stalled).count();
        long failures = small.stream().filter(o -> o.failure() != null).count();
        long[] total = stallTotals.computeIfAbsent(stack, k -> new long[2]);
        total[0] += stalls + (headline.stalled() ? 1 : 0);
        total[1] += small.size() + 1;
        out.accept("RESULT " + prefix + "stalls_" + metric + " " + stalls + "/" + small.size() + " runs"
                + (headline.stalled() ? " (and the headline run stalled)" : ""));
        if (failures > 0 || headline.failure() != null) {
            out.accept("RESULT " + prefix + "failures_" + metric + " " + failures + "/" + small.size() + " runs"
                    + " (first: " + small.stream().map(Outcome::failure).filter(f -> f != null).findFirst()
                            .orElse(headline.failure()) + ")");
        }
    }

    private static String sizeNote(String metric, long size) {
        return switch (metric) {
            case "bulk" -> size % MIB == 0 ? (size / MIB) + " MiB" : (size / KIB) + " KiB";
            case "rr" -> size + " round trips";
            default -> size + " streams";
        };
    }

    private static String describe(Outcome o) {
        return o.stalled() ? "stalled" : "failed: " + o.failure();
    }

    private void result(String name, double value, String unit) {
        out.accept(String.format(Locale.ROOT, "RESULT %s %s %s", name, format(value), unit));
    }

    static String format(double v) {
        if (v >= 100) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        if (v >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        if (p == 0.5 && sorted.length % 2 == 0) {
            return (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        }
        int rank = (int) Math.ceil(p * sorted.length) - 1; // nearest rank
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    /** Handshakes: one server per stack, fresh clients, interleaved across stacks. */
    private void handshakes(List<TransportStack> stacks, Map<String, Map<String, Outcome>> headline) {
        Map<String, TransportStack.Server> servers = new LinkedHashMap<>();
        Map<String, List<Outcome>> outcomes = new LinkedHashMap<>();
        try {
            for (TransportStack s : stacks) {
                Outcome started = guarded(p -> {
                    servers.put(s.name(), s.startServer());
                    return 0.0;
                });
                outcomes.put(s.name(), new ArrayList<>());
                if (!started.ok()) {
                    out.accept("RESULT transport_" + s.name() + "_handshake none ms (server did not start: "
                            + describe(started) + ")");
                }
            }
            for (int i = 0; i < plan.handshakes; i++) {
                for (TransportStack s : stacks) {
                    TransportStack.Server server = servers.get(s.name());
                    if (server == null) {
                        continue;
                    }
                    outcomes.get(s.name()).add(guarded(p -> {
                        TransportStack.Client c = server.connect();
                        p.onAbort(c);
                        try {
                            // a connection that cannot carry a byte is no connection
                            oneByteEcho(c, p);
                            return c.handshakeNanos() / 1e6;
                        } finally {
                            c.close();
                        }
                    }));
                }
            }
        } finally {
            servers.values().forEach(TransportStack.Server::close);
        }
        outcomes.forEach((stack, list) -> {
            double[] ms = list.stream().filter(Outcome::ok).mapToDouble(Outcome::value).sorted().toArray();
            String prefix = "transport_" + stack + "_";
            if (ms.length > 0) {
                result(prefix + "handshake", percentile(ms, 0.5), "ms (median of " + ms.length + ")");
                result(prefix + "handshake_p90", percentile(ms, 0.9), "ms");
                headline.computeIfAbsent("handshake", k -> new LinkedHashMap<>())
                        .put(stack, new Outcome(percentile(ms, 0.5), false, null));
            }
            long stalls = list.stream().filter(Outcome::stalled).count();
            long failures = list.stream().filter(o -> o.failure() != null).count();
            out.accept("RESULT " + prefix + "stalls_handshake " + stalls + "/" + list.size() + " handshakes");
            if (failures > 0) {
                out.accept("RESULT " + prefix + "failures_handshake " + failures + "/" + list.size() + " handshakes (first: "
                        + list.stream().map(Outcome::failure).filter(f -> f != null).findFirst().orElse("") + ")");
            }
        });
    }

    private static void oneByteEcho(TransportStack.Client c, Progress p) throws Exception {
        try (TransportStack.Pipe pipe = c.openStream()) {
            pipe.write(new byte[] {TransportStack.ECHO, 42}, 0, 2);
            pipe.flush();
            byte[] one = new byte[1];
            pipe.readFully(one, 0, 1);
            p.tick();
            if (one[0] != 42) {
                throw new IOException("echo returned " + one[0]);
            }
            pipe.closeOutput();
        }
    }

    /** One run of a metric on a fresh server and client. */
    Outcome run(TransportStack stack, String metric, long size) {
        return guarded(p -> {
            try (TransportStack.Server server = stack.startServer()) {
                p.onAbort(server);
                TransportStack.Client client = server.connect();
                p.onAbort(client);
                try {
                    return switch (metric) {
                        case "bulk" -> bulk(client, size, p);
                        case "rr" -> roundTrips(client, (int) size, p);
                        case "streams" -> streams(client, (int) size, p);
                        default -> throw new IllegalArgumentException(metric);
                    };
                } finally {
                    client.close();
                }
            }
        });
    }

    static double bulk(TransportStack.Client client, long bytes, Progress p) throws Exception {
        byte[] chunk = new byte[64 * KIB];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) i;
        }
        try (TransportStack.Pipe pipe = client.openStream()) {
            long start = System.nanoTime();
            pipe.write(new byte[] {TransportStack.SINK}, 0, 1);
            long sent = 0;
            while (sent < bytes) {
                int n = (int) Math.min(chunk.length, bytes - sent);
                pipe.write(chunk, 0, n);
                sent += n;
                p.tick();
            }
            pipe.closeOutput();
            byte[] answer = new byte[8];
            pipe.readFully(answer, 0, 8);
            long seconds = System.nanoTime() - start;
            long counted = 0;
            for (byte b : answer) {
                counted = (counted << 8) | (b & 0xFF);
            }
            if (counted != bytes) {
                throw new IOException("server counted " + counted + " of " + bytes + " bytes");
            }
            return bytes / 1e6 / (seconds / 1e9);
        }
    }

    static double roundTrips(TransportStack.Client client, int count, Progress p) throws Exception {
        byte[] request = new byte[KIB];
        byte[] reply = new byte[KIB];
        try (TransportStack.Pipe pipe = client.openStream()) {
            pipe.write(new byte[] {TransportStack.ECHO}, 0, 1);
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                request[0] = (byte) i;
                pipe.write(request, 0, KIB);
                pipe.flush();
                pipe.readFully(reply, 0, KIB);
                p.tick();
                if (reply[0] != (byte) i) {
                    throw new IOException("reply " + i + " out of order");
                }
            }
            long elapsed = System.nanoTime() - start;
            pipe.closeOutput();
            if (pipe.read(reply, 0, 1) != -1) {
                throw new IOException("echo sent more than it was sent");
            }
            return count / (elapsed / 1e9);
        }
    }

    static double streams(TransportStack.Client client, int count, Progress p) throws Exception {
        byte[] request = new byte[1 + KIB];
        request[0] = TransportStack.ECHO;
        byte[] reply = new byte[KIB];
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            try (TransportStack.Pipe pipe = client.openStream()) {
                request[1] = (byte) i;
                pipe.write(request, 0, request.length);
                pipe.closeOutput();
                pipe.readFully(reply, 0, KIB);
                if (reply[0] != (byte) i || pipe.read(reply, 0, 1) != -1) {
                    throw new IOException("stream " + i + ": wrong echo");
                }
                p.tick();
            }
        }
        return count / ((System.nanoTime() - start) / 1e9);
    }

    /** A run's liveness: the time of its last progress and what to close when it stalls. */
    static final class Progress {
        private final AtomicLong last = new AtomicLong(System.nanoTime());
        private final List<AutoCloseable> onAbort = new java.util.concurrent.CopyOnWriteArrayList<>();

        void tick() {
            last.set(System.nanoTime());
        }

        void onAbort(AutoCloseable c) {
            onAbort.add(c);
        }

        long idleNanos() {
            return System.nanoTime() - last.get();
        }

        void abort() {
            for (AutoCloseable c : onAbort) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing to unblock a stalled run; the run is recorded as stalled anyway
                }
            }
        }
    }

    interface Body {
        double run(Progress p) throws Exception;
    }

    /**
     * Runs {@code body} on a runner thread and watches it: no progress for the stall deadline
     * closes what it registered (so blocked reads and writes fail) and records a stall; a body that
     * still does not return within another deadline is abandoned.
     */
    Outcome guarded(Body body) {
        Progress p = new Progress();
        Callable<Double> task = () -> body.run(p);
        Future<Double> f = runners.submit(task);
        long stallNanos = TimeUnit.MILLISECONDS.toNanos(plan.stallMillis);
        try {
            while (true) {
                try {
                    return new Outcome(f.get(100, TimeUnit.MILLISECONDS), false, null);
                } catch (TimeoutException e) {
                    if (p.idleNanos() > stallNanos) {
                        p.abort();
                        try {
                            f.get(plan.stallMillis, TimeUnit.MILLISECONDS);
                        } catch (ExecutionException | TimeoutException ignored) {
                            // expected: the run was cut off
                        }
                        f.cancel(true);
                        return new Outcome(Double.NaN, true, null);
                    }
                }
            }
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return new Outcome(Double.NaN, false, cause.getClass().getSimpleName() + ": " + cause.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            p.abort();
            return new Outcome(Double.NaN, false, "interrupted");
        }
    }

    /** Each Pando stack and the raw library it wraps, by RESULT name. */
    static final List<List<String>> WRAPPED = List.of(List.of("quic", "raw_kwik"), List.of("quic_netty", "raw_netty"));

    /**
     * Prints the Pando-over-raw ratios of each pair in {@link #WRAPPED} whose two stacks ran (time
     * per unit of work; 1.0 = the wrapper costs nothing): from the headline runs where both
     * completed, and from the medians of the small runs, which ran interleaved with each other.
     * The goal is judged on the latter.
     */
    private void ratios(Map<String, Map<String, Outcome>> headline) {
        for (List<String> pair : WRAPPED) {
            ratios(headline, pair.get(0), pair.get(1));
        }
    }

    private void ratios(Map<String, Map<String, Outcome>> headline, String pando, String raw) {
        String prefix = "transport_" + pando + "_vs_" + raw + "_";
        for (var e : headline.entrySet()) {
            String metric = e.getKey();
            boolean isTime = metric.equals("handshake");
            Outcome p = e.getValue().get(pando);
            Outcome r = e.getValue().get(raw);
            if (p != null && r != null && p.ok() && r.ok()) {
                double ratio = isTime ? p.value() / r.value() : r.value() / p.value();
                out.accept(String.format(Locale.ROOT, "RESULT %s%s %.3f ratio (%s, Pando over raw)", prefix, metric, ratio,
                        isTime ? "median handshake time; Pando's includes the identity proof and protocol opening"
                                : "time per unit of work in the headline runs"));
            }
            Map<String, Double> medians = smallMedians.getOrDefault(metric, Map.of());
            if (!isTime && medians.containsKey(pando) && medians.containsKey(raw)) {
                double ratio = medians.get(raw) / medians.get(pando);
                out.accept(String.format(Locale.ROOT,
                        "RESULT %s%s_small %.3f ratio (time per unit of work, medians of the interleaved small runs)",
                        prefix, metric, ratio));
                out.accept(String.format(Locale.ROOT, "GOAL %s%s_small %.3f <= 1.10 %s", prefix, metric, ratio,
                        ratio <= 1.10 ? "met" : "not met"));
            }
        }
    }
}
