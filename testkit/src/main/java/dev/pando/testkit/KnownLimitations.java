package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * How a contract subclass disables a case: it maps the case to the measured reason in its
 * {@code knownLimitations()}; the case is then aborted (reported as skipped, with the reason),
 * never left out silently, and the contract's {@code knownLimitationsAreExplained} fails unless
 * every reason cites a measurement. One rule for every contract of the testkit.
 */
final class KnownLimitations {

    /**
     * A measurement: a count out of a total ("6 of 15", "2 out of 10", "1 in 20") or a number with
     * a unit ("30 s", "450ms", "0.5 %", "64 MiB", "3 runs", "12x"). A version number or a bare digit
     * ("kwik 0.10.8 stalls", "fails on JDK 17") is not one.
     */
    static final Pattern MEASUREMENT = Pattern.compile(
            "(?<![\\d.])\\d[\\d,]*(\\.\\d+)?\\s*(of|out of|in)\\s+\\d[\\d,]*(?![\\d.])"
                    + "|(?<![\\d.])\\d[\\d,]*(\\.\\d+)?\\s*(%|ns|µs|us|ms|s|sec|secs|seconds?|min|minutes?|h|hours?|B|bytes?|KiB|MiB|GiB"
                    + "|kB|KB|MB|GB|kbit/s|Mbit/s|MB/s|MiB/s|ops/s|x|×|runs?|times|trials?|streams?|round trips?|dials?"
                    + "|operations?|ops|writes?|inserts?|threads?)(?![\\w/])");

    private KnownLimitations() {
    }

    /** Aborts the running case if {@code limitations} lists it, with the reason. */
    static <C extends Enum<C>> void abortIfListed(Map<C, String> limitations, C c) {
        String reason = limitations.get(c);
        if (reason != null) {
            Assumptions.abort("known limitation (" + c + "): " + reason);
        }
    }

    /** Fails unless every reason is non-blank and cites a measurement. */
    static <C extends Enum<C>> void assertExplained(Map<C, String> limitations) {
        limitations.forEach((c, reason) -> {
            assertThat(reason).as("reason for %s", c).isNotBlank();
            assertThat(MEASUREMENT.matcher(reason).find())
                    .as("the reason for %s must cite a measurement: a count out of a total (\"stalled in 6 of 15 runs\") "
                            + "or a number with a unit (\"took 450 ms\", \"0.5 %% loss\"), not just any digit: %s", c, reason)
                    .isTrue();
        });
    }
}
