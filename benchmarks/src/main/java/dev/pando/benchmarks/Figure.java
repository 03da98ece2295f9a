package dev.pando.benchmarks;

import java.util.Locale;

/**
 * One measured or derived number, printed as {@code RESULT <name> <value> <unit> ±<error>}: the
 * line format every benchmark program shares and {@code benchmarks/run} records. The error is the
 * half-width of JMH's 99.9 % confidence interval, or propagated from such errors; NaN when unknown.
 */
record Figure(String name, double value, double error, String unit) {

    String line() {
        double magnitude = Math.abs(value);
        String pattern = magnitude >= 100 ? "%.0f" : magnitude >= 1 ? "%.3f" : "%.4f";
        StringBuilder sb = new StringBuilder("RESULT ").append(name).append(' ')
                .append(String.format(Locale.ROOT, pattern, value)).append(' ').append(unit);
        if (Double.isFinite(error)) {
            sb.append(" ±").append(String.format(Locale.ROOT, pattern, error));
        }
        return sb.toString();
    }
}
