package dev.pando.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The paired program's pieces that can be checked without timing anything. */
class PairedComparisonsTest {

    @Test
    void everyComparisonHasBothBodies() {
        OperationBenchmarks b = new OperationBenchmarks();
        b.setUp();
        var bodies = PairedComparisons.bodies(b);
        for (Comparison c : MicroBenchmarks.COMPARISONS) {
            assertThat(bodies).as(c.name()).containsKeys(c.measured(), c.baseline());
        }
        bodies.forEach((name, body) -> assertThat(body.get()).as(name).isNotNull().isNotEqualTo(Boolean.FALSE));
    }

    @Test
    void theMedianComesWithTheOrderStatisticsAroundIt() {
        double[] values = new double[100];
        for (int i = 0; i < values.length; i++) {
            values[(i * 37) % 100] = i; // 0..99, shuffled
        }
        double[] ci = PairedComparisons.medianWithConfidence(values);
        // ranks 49 - 10 and 50 + 10 of the sorted values (1.96 * sqrt(100) / 2 = 9.8, rounded up)
        assertThat(ci).containsExactly(49.5, 39.0, 60.0);
    }

    @Test
    void aSingleValueIsItsOwnInterval() {
        assertThat(PairedComparisons.medianWithConfidence(new double[] {1.25})).containsExactly(1.25, 1.25, 1.25);
    }

    @Test
    void aMeasuredPairYieldsPositiveFigures() {
        PairedComparisons paired = new PairedComparisons(4, 16, 0, 0, 1_000_000_000L);
        OperationBenchmarks b = new OperationBenchmarks();
        b.setUp();
        PairedComparisons.Result r = paired.measure(b::id_hash, b::raw_blake3_header);
        assertThat(r.ratio()).isPositive().isFinite();
        assertThat(r.measuredMicros()).isPositive();
        assertThat(r.baselineMicros()).isPositive();
    }
}
