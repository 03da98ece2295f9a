package dev.pando.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The RESULT/GOAL lines derived from figures (synthetic figures; nothing is timed here). */
class MicroBenchmarksTest {

    @Test
    void wallRatiosAreTimeRatiosAgainstTheBaselineWithPropagatedErrors() {
        List<String> lines = MicroBenchmarks.report(List.of(
                new Figure("validate_op_200b", 10_000, 100, "ops/s"),
                new Figure("raw_ed25519_verify", 11_000, 0, "ops/s")));

        assertThat(lines).containsExactly(
                "RESULT validate_op_200b 10000 ops/s ±100",
                "RESULT raw_ed25519_verify 11000 ops/s ±0",
                "RESULT validate_vs_raw_verify 1.100 ratio ±0.011",
                "RESULT validate_op_200b_overhead 9.091 us/op ±1.000",
                "GOAL validate_vs_raw_verify 1.100 <= 1.15 met");
    }

    @Test
    void cpuTimeFiguresGetTheirOwnRatioAndVerdict() {
        List<String> lines = MicroBenchmarks.report(List.of(
                new Figure("create_op_200b", 20_000, Double.NaN, "ops/s"),
                new Figure("create_op_200b_cpu", 24, 0.3, "us/op"),
                new Figure("raw_ed25519_sign", 40_000, Double.NaN, "ops/s"),
                new Figure("raw_ed25519_sign_cpu", 20, 0.4, "us/op")));

        assertThat(lines).contains(
                "RESULT create_vs_raw_sign 2.000 ratio",
                "RESULT create_vs_raw_sign_cpu 1.200 ratio ±0.028",
                "RESULT create_op_200b_overhead_cpu 4.000 us/op ±0.500",
                "GOAL create_vs_raw_sign 2.000 <= 1.15 not met",
                "GOAL create_vs_raw_sign_cpu 1.200 <= 1.15 not met");
    }

    @Test
    void aComparisonNeedsBothFigures() {
        List<String> lines = MicroBenchmarks.report(List.of(new Figure("validate_op_200b", 10_000, 1, "ops/s")));

        assertThat(lines).containsExactly("RESULT validate_op_200b 10000 ops/s ±1");
    }

    @Test
    void comparisonsWithoutAGoalGetNoVerdict() {
        List<String> lines = MicroBenchmarks.report(List.of(
                new Figure("id_hash", 2_000_000, 0, "ops/s"),
                new Figure("raw_blake3_header", 2_500_000, 0, "ops/s")));

        assertThat(lines).contains("RESULT id_hash_vs_raw_blake3 1.250 ratio ±0.000")
                .noneMatch(l -> l.startsWith("GOAL"));
    }

    @Test
    void smallAndNegativeValuesKeepTheirDigits() {
        assertThat(new Figure("x", -2.69191, 0.5, "us/op").line()).isEqualTo("RESULT x -2.692 us/op ±0.500");
        assertThat(new Figure("y", 0.01234, Double.NaN, "ratio").line()).isEqualTo("RESULT y 0.0123 ratio");
    }
}
