package dev.pando.testkit.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperationsTest {
    private static final PrivateKey KEY = Operations.key(1);
    private static final LogId LOG = LogId.fromHex("aa");

    @Test
    void aChainIsValidLinkByLink() {
        List<Operation> ops = Operations.chain(KEY, LOG, 5);

        assertThat(ops).extracting(Operation::seqNum).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(ops).allSatisfy(op -> {
            op.validate();
            assertThat(op.logId()).isEqualTo(LOG);
            assertThat(op.body()).hasValueSatisfying(b -> assertThat(b.size()).isEqualTo(Operations.DEFAULT_BODY_SIZE));
        });
        for (int i = 1; i < ops.size(); i++) {
            ops.get(i).validateAfter(ops.get(i - 1));
        }
    }

    @Test
    void theSameCallsGiveTheSameOperations() {
        assertThat(Operations.chain(Operations.key(7), LOG, 3)).containsExactlyElementsOf(
                Operations.chain(Operations.key(7), LOG, 3));
        assertThat(Operations.key(7)).isNotEqualTo(Operations.key(8));
    }

    @Test
    void bodySizeZeroMeansNoBody() {
        assertThat(Operations.chain(KEY, LOG, 3, 0)).allSatisfy(op -> {
            assertThat(op.body()).isEmpty();
            assertThat(op.header().payloadSize()).isZero();
        });
    }

    @Test
    void aContinuedChainFollowsItsPredecessor() {
        List<Operation> first = Operations.chain(KEY, LOG, 2);
        List<Operation> more = Operations.continueChain(KEY, first.get(1), 2, 8);

        assertThat(more).extracting(Operation::seqNum).containsExactly(2L, 3L);
        more.get(0).validateAfter(first.get(1));
        more.get(1).validateAfter(more.get(0));
    }

    @Test
    void aForkTakesTheSamePositionWithAnotherId() {
        Operation original = Operations.chain(KEY, LOG, 3).get(2);
        Operation fork = Operations.fork(KEY, original);

        fork.validate();
        assertThat(fork.id()).isNotEqualTo(original.id());
        assertThat(fork.author()).isEqualTo(original.author());
        assertThat(fork.logId()).isEqualTo(original.logId());
        assertThat(fork.seqNum()).isEqualTo(original.seqNum());
        assertThat(fork.header().backlink()).isEqualTo(original.header().backlink());
    }

    @Test
    void logsHoldOneChainPerAuthor() {
        Operations.Logs logs = Operations.logs(3, 4, LOG);

        assertThat(logs.keys()).hasSize(3).doesNotHaveDuplicates();
        assertThat(logs.byLog().keySet()).containsExactly(new LogKey(Operations.key(1).publicKey(), LOG),
                new LogKey(Operations.key(2).publicKey(), LOG), new LogKey(Operations.key(3).publicKey(), LOG));
        assertThat(logs.all()).hasSize(12);
        assertThat(logs.of(Operations.key(2))).allSatisfy(
                op -> assertThat(op.author()).isEqualTo(Operations.key(2).publicKey()));
    }

    @Test
    void theUnsortedHeaderIsValidAndKeepsItsOrder() {
        Operation op = Operations.withUnsortedExtensions(KEY, LOG, new byte[] {1, 2});

        op.validate();
        assertThat(op.logId()).isEqualTo(LOG);
        byte[] ext = op.header().extensionsBytes().orElseThrow();
        // map of 2, then the text "log_id" comes first
        assertThat(ext[0]).isEqualTo((byte) 0xA2);
        assertThat(ext[1]).isEqualTo((byte) 0x66);
    }
}
