package dev.pando.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.OperationError;
import dev.pando.PrivateKey;
import dev.pando.spi.IncomingOperation;
import dev.pando.spi.IngestSink;
import dev.pando.spi.IngestVerdict;
import dev.pando.spi.IngestVerdict.Status;
import dev.pando.testkit.support.Operations;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Ingest#sink()}, the view sync providers get: every {@link IngestResult} maps to its
 * {@link IngestVerdict}, in input order, one batch per call.
 */
class IngestSinkTest {
    private final FaultyStore store = new FaultyStore();
    private final PrivateKey alice = Operations.key(1);
    private final LogId logId = LogId.fromHex("0a");
    private final List<Operation> log = Operations.chain(alice, logId, 8);
    private Ingest ingest = Ingest.builder(store).verifyThreads(1).maxHeaderBytes(4096).build();

    @AfterEach
    void close() {
        ingest.close();
    }

    private static IncomingOperation in(Operation op) {
        return new IncomingOperation(op.headerBytes(), op.body().map(b -> b.bytes()));
    }

    @Test
    void everyResultMapsToItsVerdictInInputOrder() {
        store.insertBatch(log.subList(0, 2));                    // seq 0, 1 stored
        Operation fork = Operations.fork(alice, log.get(1));     // another seq 1
        byte[] badSignature = log.get(2).headerBytes().clone();
        badSignature[40] ^= 1;
        IngestSink sink = ingest.sink();

        List<IngestVerdict> verdicts = sink.ingest(List.of(
                in(log.get(2)),                                   // next of the log
                in(log.get(1)),                                   // stored already
                in(log.get(5)),                                   // predecessor missing
                in(fork),                                         // another op at a stored seq
                new IncomingOperation(badSignature, log.get(2).body().map(b -> b.bytes())),
                new IncomingOperation(new byte[5000], Optional.empty())));   // over maxHeaderBytes

        assertThat(verdicts).extracting(IngestVerdict::status).containsExactly(
                Status.STORED, Status.DUPLICATE, Status.PENDING, Status.FORK, Status.REJECTED, Status.REJECTED);
        assertThat(verdicts.get(0).accepted()).isTrue();
        assertThat(verdicts.get(1).accepted()).isTrue();
        assertThat(verdicts.get(2).accepted()).isTrue();
        assertThat(verdicts.get(3).accepted()).isFalse();
        assertThat(verdicts.get(3).error()).isEmpty();
        assertThat(verdicts.get(3).detail()).contains("fork").contains("seq 1");
        // a validation failure carries its OperationError kind …
        assertThat(verdicts.get(4).error()).contains(OperationError.SIGNATURE_MISMATCH);
        // … a header refused before decoding has none, and says why
        assertThat(verdicts.get(5).error()).isEmpty();
        assertThat(verdicts.get(5).detail()).contains("5000").contains("4096");
        assertThat(store.log(alice.publicKey(), logId, 0, 10)).extracting(Operation::seqNum).containsExactly(0L, 1L, 2L);
    }

    @Test
    void batchesHandedOverWithoutWaitingAreAppliedInTheOrderOfTheCalls() {
        IngestSink sink = ingest.sink();
        // four batches of one log, each continuing the one before it, all outstanding at once
        List<java.util.concurrent.CompletableFuture<List<IngestVerdict>>> outstanding = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i += 2) {
            outstanding.add(sink.ingestAsync(List.of(in(log.get(i)), in(log.get(i + 1)))));
        }
        for (var f : outstanding) {
            // applied in call order, no batch ever waited for its predecessor: none was pending
            assertThat(f.join()).extracting(IngestVerdict::status).containsExactly(Status.STORED, Status.STORED);
        }
        assertThat(store.latest(alice.publicKey(), logId)).map(Operation::seqNum).contains(7L);
    }

    @Test
    void aPendingOperationIsStoredWhenItsPredecessorArrivesInALaterCall() {
        store.insertBatch(log.subList(0, 3));
        IngestSink sink = ingest.sink();
        assertThat(sink.ingest(List.of(in(log.get(4)))).get(0).status()).isEqualTo(Status.PENDING);
        assertThat(sink.ingest(List.of(in(log.get(3)))).get(0).status()).isEqualTo(Status.STORED);
        assertThat(store.latest(alice.publicKey(), logId)).map(Operation::seqNum).contains(4L);
    }

    @Test
    void anOperationBelowAPrunedPartIsOutdated() {
        store.insertBatch(log.subList(0, 6));
        store.prune(alice.publicKey(), logId, 4);                // seq 0..3 deleted
        List<IngestVerdict> verdicts = ingest.sink().ingest(List.of(in(log.get(2))));
        assertThat(verdicts).extracting(IngestVerdict::status).containsExactly(Status.OUTDATED);
        assertThat(verdicts.get(0).accepted()).isFalse();
    }

    @Test
    void aBacklinkThatDoesNotMatchIsRejectedWithItsKind() {
        store.insertBatch(log.subList(0, 3));
        Operation forkAt2 = Operations.fork(alice, log.get(2));
        store.delete(log.get(2).id());
        store.insert(forkAt2);                                   // the store holds another seq 2
        List<IngestVerdict> verdicts = ingest.sink().ingest(List.of(in(log.get(3))));
        assertThat(verdicts.get(0).status()).isEqualTo(Status.REJECTED);
        assertThat(verdicts.get(0).error()).contains(OperationError.BACKLINK_MISMATCH);
    }
}
