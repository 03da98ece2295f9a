package dev.pando.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.Operation;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Keeps the ingest benchmarks' data set honest: valid chains, delivered seq by seq across logs. */
class IngestBenchmarksTest {

    @Test
    void theDataSetIsValidLogsInterleavedSeqBySeq() {
        List<Operation> ops = IngestBenchmarks.interleavedLogs(3, 4, 1);
        assertThat(ops).hasSize(12);
        assertThat(ops).extracting(Operation::seqNum).containsExactly(0L, 0L, 0L, 1L, 1L, 1L, 2L, 2L, 2L, 3L, 3L, 3L);
        assertThat(ops.stream().map(Operation::author).distinct()).hasSize(3);
        for (int i = 0; i < ops.size(); i++) {
            Operation op = ops.get(i);
            op.validate();
            assertThat(op.body().orElseThrow().size()).isEqualTo(200);
            if (i >= 3) {
                op.validateAfter(ops.get(i - 3));
            }
        }
    }
}
