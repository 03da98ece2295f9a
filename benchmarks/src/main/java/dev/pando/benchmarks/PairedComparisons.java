package dev.pando.benchmarks;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The api-versus-raw ratios of {@link MicroBenchmarks#COMPARISONS}, measured so that a busy machine
 * cannot skew them: the api path and its baseline run in alternating short batches (A B, then B A,
 * …) on one thread, each batch timed in that thread's CPU time, and the figure is the median of the
 * per-round ratios. Load that comes and goes hits both sides of a round alike, and the median drops
 * the rounds a context switch spoiled. JMH measures the two sides one after the other, minutes
 * apart, which is fine on an idle machine and misleading on a shared one.
 *
 * <p>Prints {@code RESULT <comparison>_paired <median ratio> ratio ±<half-width>} (the half-width
 * of a distribution-free 95 % confidence interval of the median), the median CPU time per operation
 * of both sides, and a {@code GOAL} verdict where the comparison has a goal. Runs the same method
 * bodies as the JMH benchmarks. Usage: {@code PairedComparisons [--quick]}.
 */
public final class PairedComparisons {
    private static final long BATCH_NANOS = 2_000_000;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    private final int rounds;
    private final int warmupOps;
    private final long warmupCpuNanos;
    private final long quietNanos;
    private final long maxWarmupNanos;
    private volatile int sink; // keeps the JIT from dropping the measured work

    /**
     * @param warmupOps least calls of each side while warming up
     * @param warmupCpuNanos least CPU time this thread spends warming up each pair
     * @param quietNanos wall time without JIT compilation that ends the warm-up after that
     * @param maxWarmupNanos wall time after which the warm-up ends anyway (with a note)
     */
    PairedComparisons(int rounds, int warmupOps, long warmupCpuNanos, long quietNanos, long maxWarmupNanos) {
        this.rounds = rounds;
        this.warmupOps = warmupOps;
        this.warmupCpuNanos = warmupCpuNanos;
        this.quietNanos = quietNanos;
        this.maxWarmupNanos = maxWarmupNanos;
    }

    public static void main(String[] args) {
        boolean quick = args.length == 1 && args[0].equals("--quick");
        if (args.length > 1 || (args.length == 1 && !quick)) {
            System.err.println("usage: PairedComparisons [--quick]");
            System.exit(2);
        }
        if (!THREADS.isCurrentThreadCpuTimeSupported()) {
            System.err.println("this JVM cannot measure thread CPU time");
            System.exit(1);
        }
        PairedComparisons paired = quick
                ? new PairedComparisons(20, 2_000, 300_000_000L, 200_000_000L, 10_000_000_000L)
                : new PairedComparisons(300, 60_000, 2_000_000_000L, 1_000_000_000L, 120_000_000_000L);
        OperationBenchmarks b = new OperationBenchmarks();
        b.setUp();
        Map<String, Supplier<Object>> bodies = bodies(b);
        Map<String, Figure> figures = new LinkedHashMap<>();
        List<String> verdicts = new ArrayList<>();
        for (Comparison c : MicroBenchmarks.COMPARISONS) {
            Result r = paired.measure(bodies.get(c.measured()), bodies.get(c.baseline()));
            Figure ratio = new Figure(c.name() + "_paired", r.ratio, r.ratioHalfWidth, "ratio");
            figures.put(ratio.name(), ratio);
            // a baseline shared by two comparisons is reported from the first one
            figures.putIfAbsent(c.measured() + "_paired_cpu",
                    new Figure(c.measured() + "_paired_cpu", r.measuredMicros, Double.NaN, "us/op"));
            figures.putIfAbsent(c.baseline() + "_paired_cpu",
                    new Figure(c.baseline() + "_paired_cpu", r.baselineMicros, Double.NaN, "us/op"));
            verdicts.addAll(c.verdicts(List.of(ratio)));
            System.out.printf(Locale.ROOT, "# %s: %.3f%n", ratio.name(), r.ratio); // progress
        }
        System.out.println();
        figures.values().forEach(f -> System.out.println(f.line()));
        verdicts.forEach(System.out::println);
    }

    /** The benchmark bodies by their names, as the comparisons name them. */
    static Map<String, Supplier<Object>> bodies(OperationBenchmarks b) {
        return Map.of(
                "validate_op_200b", b::validate_op_200b,
                "raw_ed25519_verify", b::raw_ed25519_verify,
                "verify_strict", b::verify_strict,
                "create_op_200b", b::create_op_200b,
                "raw_ed25519_sign", b::raw_ed25519_sign,
                "id_hash", b::id_hash,
                "raw_blake3_header", b::raw_blake3_header);
    }

    /** Medians over the rounds: the ratio measured/baseline with its CI half-width, and µs/op of each. */
    record Result(double ratio, double ratioHalfWidth, double measuredMicros, double baselineMicros) {
    }

    Result measure(Supplier<Object> measured, Supplier<Object> baseline) {
        warmUp(measured, baseline);
        int batchM = batchSize(measured);
        int batchB = batchSize(baseline);
        double[] ratios = new double[rounds];
        double[] perOpM = new double[rounds];
        double[] perOpB = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            double m;
            double b;
            if (i % 2 == 0) {
                m = run(measured, batchM);
                b = run(baseline, batchB);
            } else {
                b = run(baseline, batchB);
                m = run(measured, batchM);
            }
            perOpM[i] = m;
            perOpB[i] = b;
            ratios[i] = m / b;
        }
        double[] ci = medianWithConfidence(ratios);
        return new Result(ci[0], Math.max(ci[0] - ci[1], ci[2] - ci[0]),
                medianWithConfidence(perOpM)[0] / 1000, medianWithConfidence(perOpB)[0] / 1000);
    }

    /**
     * Runs both sides at least {@code warmupOps} times each, until this thread has spent
     * {@code warmupCpuNanos} on them and the JIT has finished no compilation for
     * {@code quietNanos}. A wall-clock warm-up is not enough on a loaded machine: the create path
     * (many small methods, each called once per operation) measured 2.4 times slower after 12,000
     * calls than after 100,000 on a loaded machine, while raw Ed25519 (hot loops) warms up much sooner.
     */
    private void warmUp(Supplier<Object> measured, Supplier<Object> baseline) {
        boolean jitObservable = JIT != null && JIT.isCompilationTimeMonitoringSupported();
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        long quietSince = start;
        long jitMillis = jitObservable ? JIT.getTotalCompilationTime() : 0;
        for (int done = 0; ; done += 16) {
            run(measured, 16);
            run(baseline, 16);
            long now = System.nanoTime();
            long jitNow = jitObservable ? JIT.getTotalCompilationTime() : 0;
            if (jitNow != jitMillis) {
                jitMillis = jitNow;
                quietSince = now;
            }
            if (done >= warmupOps && THREADS.getCurrentThreadCpuTime() - cpuStart >= warmupCpuNanos
                    && now - quietSince >= quietNanos) {
                return;
            }
            if (now - start >= maxWarmupNanos) {
                System.out.printf("# warm-up stopped at its %d s limit after %d calls of each side%n",
                        maxWarmupNanos / 1_000_000_000L, done + 16);
                return;
            }
        }
    }

    private int batchSize(Supplier<Object> body) {
        double perOp = run(body, 64);
        return (int) Math.max(1, Math.min(1_000_000, BATCH_NANOS / Math.max(perOp, 1)));
    }

    /** Runs {@code body} {@code n} times; returns this thread's CPU nanoseconds per call. */
    private double run(Supplier<Object> body, int n) {
        int acc = 0;
        long start = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            acc += System.identityHashCode(body.get()) & 1;
        }
        long cpu = THREADS.getCurrentThreadCpuTime() - start;
        sink = acc;
        return (double) cpu / n;
    }

    /**
     * The median of {@code values} and the bounds of a distribution-free 95 % confidence interval
     * for it: the order statistics at ranks n/2 ± 1.96·√n/2.
     */
    static double[] medianWithConfidence(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        int half = (int) Math.ceil(1.96 * Math.sqrt(n) / 2);
        int lo = Math.max(0, (n - 1) / 2 - half);
        int hi = Math.min(n - 1, n / 2 + half);
        return new double[] {median, sorted[lo], sorted[hi]};
    }
}
