package dev.pando.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How much slower the api's path ({@code measured}) is than the raw library call it wraps
 * ({@code baseline}), both from the same run, as a ratio of times per operation (1.00 = no
 * overhead) and as the extra microseconds per operation. Computed from wall-clock throughput
 * ({@code <name>}, {@code <measured>_overhead}) and, when {@link CpuTimeProfiler} figures are
 * present, from CPU time per operation ({@code <name>_cpu}, {@code <measured>_overhead_cpu}).
 * {@code goal} is the largest acceptable ratio, or NaN when there is none.
 */
record Comparison(String name, String measured, String baseline, double goal) {
    static final String CPU = "_cpu";

    /** The ratios and overheads the given figures allow (none if a figure is missing). */
    List<Figure> derive(Map<String, Figure> figures) {
        List<Figure> out = new ArrayList<>();
        out.addAll(derive(wallTime(figures.get(measured)), wallTime(figures.get(baseline)), ""));
        out.addAll(derive(figures.get(measured + CPU), figures.get(baseline + CPU), CPU));
        return out;
    }

    /** {@code GOAL <ratio> <value> <= <goal> met|not met} for each ratio in {@code derived}. */
    List<String> verdicts(List<Figure> derived) {
        List<String> out = new ArrayList<>();
        if (Double.isNaN(goal)) {
            return out;
        }
        for (Figure f : derived) {
            if (f.unit().equals("ratio")) {
                out.add(String.format(Locale.ROOT, "GOAL %s %.3f <= %.2f %s", f.name(), f.value(), goal,
                        f.value() <= goal ? "met" : "not met"));
            }
        }
        return out;
    }

    /** Both arguments are times per operation in µs, or null when not measured. */
    private List<Figure> derive(Figure m, Figure b, String suffix) {
        if (m == null || b == null) {
            return List.of();
        }
        double ratio = m.value() / b.value();
        // relative errors of a quotient add in quadrature (independent measurements), absolute
        // errors of a difference likewise
        double ratioError = ratio * Math.hypot(m.error() / m.value(), b.error() / b.value());
        return List.of(
                new Figure(name + suffix, ratio, ratioError, "ratio"),
                new Figure(measured + "_overhead" + suffix, m.value() - b.value(), Math.hypot(m.error(), b.error()),
                        "us/op"));
    }

    /** A throughput figure in ops/s as µs per operation, its error carried over (first order). */
    private static Figure wallTime(Figure throughput) {
        if (throughput == null) {
            return null;
        }
        double micros = 1e6 / throughput.value();
        return new Figure(throughput.name(), micros, micros * throughput.error() / throughput.value(), "us/op");
    }
}
