package dev.pando.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.Operation;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;

/** Runs every benchmark body once and checks it computes what its name says (no timing). */
class OperationBenchmarksTest {
    private final OperationBenchmarks benchmarks = new OperationBenchmarks();
    private final OperationFixture fixture = new OperationFixture();

    @BeforeEach
    void setUp() {
        benchmarks.setUp();
    }

    @Test
    void headerEncodeMirrorsTheApiEncodingByteForByte() {
        byte[][] encoded = benchmarks.header_encode();
        assertThat(encoded[0]).isEqualTo(fixture.unsignedBytes);
        assertThat(encoded[1]).isEqualTo(fixture.headerBytes);
    }

    @Test
    void theFixtureIsTheTypicalOperation() {
        Operation op = fixture.operation;
        assertThat(op.seqNum()).isEqualTo(5);
        assertThat(op.header().backlink()).contains(fixture.backlink);
        assertThat(op.header().payloadSize()).isEqualTo(200);
        assertThat(op.logId()).isEqualTo(fixture.logId);
        assertThat(op.header().extensions()).isPresent();
    }

    @Test
    void headerDecodeReadsTheSignedHeader() {
        assertThat(benchmarks.header_decode()).isEqualTo(fixture.operation.header());
        assertThat(benchmarks.header_decode().seqNum()).isEqualTo(OperationFixture.SEQ_NUM);
    }

    @Test
    void idHashAndItsBaselineComputeTheOperationId() {
        assertThat(benchmarks.id_hash()).isEqualTo(fixture.operation.id());
        assertThat(benchmarks.raw_blake3_header()).isEqualTo(fixture.operation.id().bytes());
    }

    @Test
    void bodyHashIsThePayloadHash() {
        assertThat(benchmarks.body_hash()).isEqualTo(fixture.operation.header().payloadHash().orElseThrow());
    }

    @Test
    void createAndRawSignProduceTheSameSignature() {
        Operation created = benchmarks.create_op_200b();
        assertThat(created).isEqualTo(fixture.operation);
        assertThat(benchmarks.raw_ed25519_sign()).isEqualTo(fixture.signature);
    }

    @Test
    void validateAndBothVerifiesAccept() {
        assertThat(benchmarks.validate_op_200b().id()).isEqualTo(fixture.operation.id());
        assertThat(benchmarks.verify_strict()).isTrue();
        assertThat(benchmarks.raw_ed25519_verify()).isTrue();
    }

    @Test
    void everyBenchmarkMethodRunsAndReturnsAResult() throws Exception {
        List<Method> methods = Arrays.stream(OperationBenchmarks.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Benchmark.class))
                .toList();
        assertThat(methods).hasSize(10);
        for (Method m : methods) {
            assertThat(m.invoke(benchmarks)).as(m.getName()).isNotNull().isNotEqualTo(Boolean.FALSE);
        }
    }

    @Test
    void everyComparisonNamesBenchmarksThatExist() {
        List<String> names = Arrays.stream(OperationBenchmarks.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Benchmark.class))
                .map(Method::getName)
                .toList();
        for (Comparison c : MicroBenchmarks.COMPARISONS) {
            assertThat(names).as(c.name()).contains(c.measured(), c.baseline());
        }
    }
}
