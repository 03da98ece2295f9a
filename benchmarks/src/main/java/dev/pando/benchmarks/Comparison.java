package dev.pando.benchmarks;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How much slower the api's path ({@code measured}) is than the raw library call it wraps
 * ({@code baseline}), both in ops/s from the same run: {@code baseline / measured}, i.e. the ratio
 * of times per operation (1.00 = no overhead). {@code goal} is the largest acceptable ratio, or NaN
 * when there is none.
 */
record Comparison(String name, String measured, String baseline, double goal) {

    /** The ratio, if both figures were measured in this run. */
    Optional<Figure> ratio(Map<String, Figure> figures) {
        Figure m = figures.get(measured);
        Figure b = figures.get(baseline);
        if (m == null || b == null) {
            return Optional.empty();
        }
        double r = b.value() / m.value();
        // relative errors of a quotient add in quadrature (independent measurements)
        double error = r * Math.hypot(m.error() / m.value(), b.error() / b.value());
        return Optional.of(new Figure(name, r, error, "ratio"));
    }

    /**
     * The extra time per operation the api's path spends beyond its baseline, in microseconds, if
     * both figures were measured.
     */
    Optional<Figure> overheadMicros(Map<String, Figure> figures) {
        Figure m = figures.get(measured);
        Figure b = figures.get(baseline);
        if (m == null || b == null) {
            return Optional.empty();
        }
        double mt = 1e6 / m.value();
        double bt = 1e6 / b.value();
        double error = Math.hypot(mt * m.error() / m.value(), bt * b.error() / b.value());
        return Optional.of(new Figure(measured + "_overhead", mt - bt, error, "us/op"));
    }

    /** {@code GOAL <name> <ratio> <= <goal> met|not met}, if there is a goal and a ratio. */
    Optional<String> verdict(Figure ratio) {
        if (Double.isNaN(goal)) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "GOAL %s %.3f <= %.2f %s", name, ratio.value(), goal,
                ratio.value() <= goal ? "met" : "not met"));
    }
}
