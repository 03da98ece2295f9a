package dev.pando.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.Hash;
import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.OperationError;
import dev.pando.PrivateKey;
import dev.pando.StoreException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class IngestTest {
    private final FaultyStore store = new FaultyStore();
    private final PrivateKey alice = Logs.key(1);
    private final LogId logId = LogId.of(new byte[] {7});
    private final LogKey log = new LogKey(alice.publicKey(), logId);
    private Ingest ingest = Ingest.builder(store).verifyThreads(2).build();

    @AfterEach
    void close() {
        ingest.close();
    }

    private List<Long> storedSeqs() {
        return store.log(alice.publicKey(), logId, 0, 1000).stream().map(Operation::seqNum).toList();
    }

    @Test
    void storesALogInOrderAndReportsDuplicates() {
        List<Operation> ops = Logs.chain(alice, logId, 5);
        List<IngestResult> first = ingest.ingestBatch(Logs.inputs(ops));
        assertThat(first).allSatisfy(r -> assertThat(r).isInstanceOf(IngestResult.Inserted.class));
        assertThat(storedSeqs()).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(store.batches()).isEqualTo(1);

        assertThat(ingest.ingest(Logs.input(ops.get(2))))
                .isEqualTo(new IngestResult.Duplicate(ops.get(2).id(), log, 2));
        IngestCounters c = ingest.counters();
        assertThat(c.inserted()).isEqualTo(5);
        assertThat(c.duplicate()).isEqualTo(1);
        assertThat(c.rejectedTotal()).isZero();
    }

    @Test
    void holdsOperationsWhosePredecessorIsMissingAndReleasesThemInCascade() {
        List<Operation> ops = Logs.chain(alice, logId, 6);
        assertThat(ingest.ingest(Logs.input(ops.get(3)))).isEqualTo(
                new IngestResult.Pending(ops.get(3).id(), log, 3, java.util.Optional.empty()));
        // a batch in reverse order: 5 and 4 wait, 2 and 1 wait, 0 releases 1..5
        List<Operation> reversed = new ArrayList<>(ops.subList(0, 6));
        reversed.remove(3);
        Collections.reverse(reversed);
        List<IngestResult> results = ingest.ingestBatch(Logs.inputs(reversed));
        assertThat(results.subList(0, 4)).allSatisfy(r -> assertThat(r).isInstanceOf(IngestResult.Pending.class));
        assertThat(results.get(4)).isInstanceOfSatisfying(IngestResult.Inserted.class, ins -> assertThat(ins.released())
                .containsExactly(ops.get(1).id(), ops.get(2).id(), ops.get(3).id(), ops.get(4).id(), ops.get(5).id()));
        assertThat(storedSeqs()).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        IngestCounters c = ingest.counters();
        assertThat(c.inserted()).isEqualTo(1);
        assertThat(c.released()).isEqualTo(5);
        assertThat(c.pending()).isEqualTo(5);
        assertThat(c.pendingOperations()).isZero();
        assertThat(c.pendingBytes()).isZero();
    }

    @Test
    void aPendingOperationIsReleasedByALaterBatch() {
        List<Operation> ops = Logs.chain(alice, logId, 3);
        ingest.ingestBatch(Logs.inputs(List.of(ops.get(0))));
        assertThat(ingest.ingest(Logs.input(ops.get(2)))).isInstanceOf(IngestResult.Pending.class);
        assertThat(ingest.counters().pendingOperations()).isEqualTo(1);
        assertThat(ingest.ingest(Logs.input(ops.get(1)))).isInstanceOfSatisfying(IngestResult.Inserted.class,
                ins -> assertThat(ins.released()).containsExactly(ops.get(2).id()));
        assertThat(storedSeqs()).containsExactly(0L, 1L, 2L);
    }

    @Test
    void aSecondOperationAtATakenPositionIsAFork() {
        List<Operation> ops = Logs.chain(alice, logId, 2);
        ingest.ingestBatch(Logs.inputs(ops));
        Operation other = Operation.builder(alice).after(ops.get(0)).body("forked".getBytes()).build();
        assertThat(ingest.ingest(Logs.input(other)))
                .isEqualTo(new IngestResult.Fork(log, 1, ops.get(1).id(), other.id()));
        assertThat(store.get(other.id())).isEmpty();
        assertThat(ingest.counters().fork()).isEqualTo(1);
    }

    @Test
    void aForkWithinOneBatchKeepsTheFirst() {
        Operation first = Logs.chain(alice, logId, 1).get(0);
        Operation second = Operation.builder(alice).logId(logId).timestamp(5).build();
        List<IngestResult> results = ingest.ingestBatch(Logs.inputs(List.of(first, second)));
        assertThat(results.get(0)).isInstanceOf(IngestResult.Inserted.class);
        assertThat(results.get(1)).isEqualTo(new IngestResult.Fork(log, 0, first.id(), second.id()));
        assertThat(storedSeqs()).containsExactly(0L);
    }

    @Test
    void forkAmongPendingOperationsIsCountedWhenThePredecessorDecides() {
        List<Operation> ops = Logs.chain(alice, logId, 2);
        Operation rival = Operation.builder(alice).after(ops.get(0)).body("rival".getBytes()).build();
        assertThat(ingest.ingestBatch(Logs.inputs(List.of(ops.get(1), rival))))
                .allSatisfy(r -> assertThat(r).isInstanceOf(IngestResult.Pending.class));
        IngestResult r = ingest.ingest(Logs.input(ops.get(0)));
        assertThat(r).isInstanceOfSatisfying(IngestResult.Inserted.class,
                ins -> assertThat(ins.released()).containsExactly(ops.get(1).id()));
        assertThat(ingest.counters().fork()).isEqualTo(1);
        assertThat(ingest.counters().pendingOperations()).isZero();
    }

    @Test
    void rejectsEachKindOfInvalidOperationWithItsKind() {
        List<Operation> ops = Logs.chain(alice, logId, 2);
        ingest.ingest(Logs.input(ops.get(0)));

        byte[] badSig = ops.get(1).headerBytes();
        badSig[40] ^= 1; // inside the signature: array head, version, 2+32 key bytes, 2-byte head
        Operation wrongBacklink = Operation.builder(alice).logId(logId).seqNum(1).backlink(Hash.of(new byte[] {1}))
                .build();
        byte[] body = ops.get(1).body().orElseThrow().bytes();
        body[0] ^= 1;
        List<IngestResult> results = ingest.ingestBatch(List.of(
                IngestInput.of(badSig, ops.get(1).body().orElseThrow().bytes()),
                IngestInput.withoutBody(new byte[] {(byte) 0x85, 1, 2, 3}),
                IngestInput.withoutBody(new byte[0]),
                Logs.input(wrongBacklink),
                IngestInput.of(ops.get(1).headerBytes(), body)));
        assertThat(results).extracting(r -> ((IngestResult.Rejected) r).kind()).containsExactly(
                OperationError.SIGNATURE_MISMATCH, OperationError.DECODE, OperationError.DECODE,
                OperationError.BACKLINK_MISMATCH, OperationError.PAYLOAD_MISMATCH);
        assertThat(((IngestResult.Rejected) results.get(1)).id()).isEmpty();
        assertThat(((IngestResult.Rejected) results.get(3)).id()).contains(wrongBacklink.id());
        assertThat(storedSeqs()).containsExactly(0L);
        assertThat(ingest.counters().rejected()).containsEntry(OperationError.DECODE, 2L)
                .containsEntry(OperationError.SIGNATURE_MISMATCH, 1L).containsEntry(OperationError.BACKLINK_MISMATCH, 1L)
                .containsEntry(OperationError.PAYLOAD_MISMATCH, 1L);

        // the valid operation still goes in afterwards, with or without its body
        assertThat(ingest.ingest(IngestInput.withoutBody(ops.get(1).headerBytes())))
                .isInstanceOf(IngestResult.Inserted.class);
    }

    @Test
    void aPendingOperationThatDoesNotFollowItsPredecessorIsCountedAsRejected() {
        List<Operation> ops = Logs.chain(alice, logId, 1);
        Operation stray = Operation.builder(alice).logId(logId).seqNum(1).backlink(Hash.of(new byte[] {9})).build();
        Operation strayNext = Operation.builder(alice).after(stray).build();
        ingest.ingestBatch(Logs.inputs(List.of(strayNext)));
        assertThat(ingest.ingestBatch(Logs.inputs(List.of(ops.get(0), stray))))
                .extracting(r -> r.getClass().getSimpleName()).containsExactly("Inserted", "Rejected");
        assertThat(storedSeqs()).containsExactly(0L);
        // strayNext still waits for a seq 1 that will never be the stray one
        assertThat(ingest.counters().pendingOperations()).isEqualTo(1);
    }

    @Test
    void aPruneOperationStartsTheLogAnywhereAndDeletesWhatCameBefore() {
        List<Operation> ops = Logs.chain(alice, logId, 3);
        ingest.ingestBatch(Logs.inputs(ops));
        Operation held = Operation.builder(alice).logId(logId).seqNum(5).backlink(Hash.of(new byte[] {5})).build();
        assertThat(ingest.ingest(Logs.input(held))).isInstanceOf(IngestResult.Pending.class);

        Operation prune = Operation.builder(alice).logId(logId).seqNum(10).backlink(Hash.of(new byte[] {3}))
                .prune(true).body("snapshot".getBytes()).build();
        assertThat(ingest.ingest(Logs.input(prune))).isInstanceOf(IngestResult.Inserted.class);
        assertThat(storedSeqs()).containsExactly(10L);
        assertThat(ingest.counters().evicted()).containsEntry(EvictionReason.OUTDATED, 1L);
        assertThat(ingest.counters().pendingOperations()).isZero();

        assertThat(ingest.ingest(Logs.input(ops.get(1)))).isEqualTo(new IngestResult.Outdated(ops.get(1).id(), log, 1));
        Operation eleven = Operation.builder(alice).after(prune).build();
        assertThat(ingest.ingest(Logs.input(eleven))).isInstanceOf(IngestResult.Inserted.class);
        assertThat(storedSeqs()).containsExactly(10L, 11L);
        assertThat(ingest.counters().outdated()).isEqualTo(1);
    }

    @Test
    void aPruneOperationInTheMiddleOfABatchPrunesWhatTheBatchStoredBeforeIt() {
        List<Operation> ops = Logs.chain(alice, logId, 3);
        Operation prune = Operation.builder(alice).after(ops.get(2)).prune(true).build();
        List<Operation> batch = new ArrayList<>(ops);
        batch.add(prune);
        batch.add(ops.get(0)); // after the prune point within the same batch: outdated
        List<IngestResult> results = ingest.ingestBatch(Logs.inputs(batch));
        assertThat(results.get(4)).isInstanceOf(IngestResult.Outdated.class);
        assertThat(storedSeqs()).containsExactly(3L);
    }

    @Test
    void thePendingBufferIsBoundedInCountAndBytesAndEvictsTheOldest() {
        ingest.close();
        List<Operation> ops = Logs.chain(alice, logId, 8);
        long size = Logs.input(ops.get(1)).size();
        ingest = Ingest.builder(store).maxPendingOperations(3).maxPendingBytes(size * 2 + size / 2).verifyThreads(1)
                .build();
        // count bound 3 is not reached: the byte bound (2.5 operations) evicts first
        ingest.ingestBatch(Logs.inputs(ops.subList(1, 4)));
        IngestCounters c = ingest.counters();
        assertThat(c.pendingOperations()).isEqualTo(2);
        assertThat(c.pendingBytes()).isLessThanOrEqualTo(size * 2 + size / 2);
        assertThat(c.evicted()).containsEntry(EvictionReason.BYTE_LIMIT, 1L);
        // the oldest (seq 1) went, so seq 0 releases nothing; 2 and 3 keep waiting
        assertThat(ingest.ingest(Logs.input(ops.get(0))))
                .isInstanceOfSatisfying(IngestResult.Inserted.class, ins -> assertThat(ins.released()).isEmpty());
        assertThat(ingest.ingest(Logs.input(ops.get(1))))
                .isInstanceOfSatisfying(IngestResult.Inserted.class, ins -> assertThat(ins.released()).hasSize(2));

        ingest.close();
        ingest = Ingest.builder(store).maxPendingOperations(2).verifyThreads(1).build();
        ingest.ingestBatch(Logs.inputs(ops.subList(5, 8)));
        assertThat(ingest.counters().evicted()).containsEntry(EvictionReason.COUNT_LIMIT, 1L);
        assertThat(ingest.counters().pendingOperations()).isEqualTo(2);
    }

    @Test
    void theSamePendingOperationIsHeldOnce() {
        List<Operation> ops = Logs.chain(alice, logId, 2);
        List<IngestInput> flood = Collections.nCopies(1000, Logs.input(ops.get(1)));
        ingest.ingestBatch(flood);
        assertThat(ingest.counters().pendingOperations()).isEqualTo(1);
        assertThat(ingest.counters().pending()).isEqualTo(1000);
    }

    @Test
    void whenTheStoreFailsNothingOfTheBatchIsStoredAndReleasedOperationsAreCounted() {
        List<Operation> ops = Logs.chain(alice, logId, 3);
        ingest.ingest(Logs.input(ops.get(2)));
        store.failNextBatch.set(true);
        assertThatThrownBy(() -> ingest.ingestBatch(Logs.inputs(ops.subList(0, 2))))
                .isInstanceOf(StoreException.class);
        assertThat(storedSeqs()).isEmpty();
        assertThat(ingest.counters().evicted()).containsEntry(EvictionReason.STORE_FAILURE, 1L);
        assertThat(ingest.counters().inserted()).isZero();
        // the pipeline goes on
        assertThat(ingest.ingestBatch(Logs.inputs(ops))).allSatisfy(r -> assertThat(r).isInstanceOf(IngestResult.Inserted.class));
    }

    @Test
    void aHeaderOverTheLimitIsRefusedUndecodedAndCounted() {
        Operation op = Logs.chain(alice, logId, 1).get(0);
        int length = op.headerBytes().length;
        try (Ingest small = Ingest.builder(store).maxHeaderBytes(length - 1).verifyThreads(1).build()) {
            assertThat(small.ingest(Logs.input(op))).isEqualTo(new IngestResult.HeaderTooLarge(length, length - 1));
            assertThat(small.counters().headerTooLarge()).isEqualTo(1);
            assertThat(small.counters().rejectedTotal()).isZero();
        }
        assertThat(store.has(op.id())).isFalse();
        try (Ingest exact = Ingest.builder(store).maxHeaderBytes(length).verifyThreads(1).build()) {
            assertThat(exact.ingest(Logs.input(op))).isInstanceOf(IngestResult.Inserted.class);
        }
    }

    @Test
    void theDefaultHeaderLimitRefusesAHugeHeaderBeforeDecodingIt() {
        // bytes that would decode as a Decode rejection, had they been decoded
        byte[] huge = new byte[Ingest.DEFAULT_MAX_HEADER_BYTES + 1];
        byte[] atLimit = new byte[Ingest.DEFAULT_MAX_HEADER_BYTES];

        List<IngestResult> results = ingest.ingestBatch(List.of(IngestInput.withoutBody(huge), IngestInput.withoutBody(atLimit)));

        assertThat(results.get(0)).isEqualTo(new IngestResult.HeaderTooLarge(huge.length, Ingest.DEFAULT_MAX_HEADER_BYTES));
        assertThat(results.get(1)).isInstanceOfSatisfying(IngestResult.Rejected.class,
                r -> assertThat(r.kind()).isEqualTo(OperationError.DECODE));
        assertThat(ingest.counters().headerTooLarge()).isEqualTo(1);
        assertThat(ingest.counters().rejectedTotal()).isEqualTo(1);
        assertThatThrownBy(() -> Ingest.builder(store).maxHeaderBytes(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anOperationComingAgainWithItsBodyRestoresADeletedPayload() {
        List<Operation> ops = Logs.chain(alice, logId, 4);
        ingest.ingestBatch(Logs.inputs(ops));
        store.deletePayload(ops.get(1).id());
        store.deletePayload(ops.get(2).id());

        List<IngestResult> again = ingest.ingestBatch(List.of(IngestInput.withoutBody(ops.get(1).headerBytes()),
                Logs.input(ops.get(2)), Logs.input(ops.get(2))));

        assertThat(again).containsExactly(new IngestResult.Duplicate(ops.get(1).id(), log, 1),
                new IngestResult.Duplicate(ops.get(2).id(), log, 2), new IngestResult.Duplicate(ops.get(2).id(), log, 2));
        assertThat(store.get(ops.get(1).id()).orElseThrow().body()).as("came without its body").isEmpty();
        assertThat(store.get(ops.get(2).id())).contains(ops.get(2));
        assertThat(store.get(ops.get(2).id()).orElseThrow().body()).isEqualTo(ops.get(2).body());
        assertThat(ingest.counters().duplicate()).isEqualTo(3);
        assertThat(ingest.counters().inserted()).isEqualTo(4);
    }

    @Test
    void manyLogsInOneShuffledBatch() {
        List<Operation> all = new ArrayList<>();
        for (int a = 0; a < 5; a++) {
            for (int l = 0; l < 2; l++) {
                all.addAll(Logs.chain(Logs.key(100 + a), LogId.of(new byte[] {(byte) l}), 20));
            }
        }
        Collections.shuffle(all, new Random(42));
        List<IngestResult> results = ingest.ingestBatch(Logs.inputs(all));
        long direct = results.stream().filter(r -> r instanceof IngestResult.Inserted).count();
        long released = results.stream().filter(r -> r instanceof IngestResult.Inserted)
                .mapToLong(r -> ((IngestResult.Inserted) r).released().size()).sum();
        assertThat(direct + released).isEqualTo(200);
        assertThat(store.logs()).hasSize(10);
        for (var k : store.logs()) {
            assertThat(store.log(k.author(), k.logId(), 0, 100)).extracting(Operation::seqNum)
                    .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 20).boxed().toList());
        }
        assertThat(store.batches()).isEqualTo(1);
    }

    @Test
    void closeIsIdempotentStopsItsThreadsAndRefusesWork() throws InterruptedException {
        List<Operation> ops = Logs.chain(alice, logId, 40);
        ingest.ingestBatch(Logs.inputs(ops)); // parallel: starts the verify threads
        assertThat(verifyThreads()).isNotEmpty();
        ingest.close();
        ingest.close();
        for (Thread t : verifyThreads()) {
            t.join(10_000); // terminated pools' workers are exiting; wait for them, bounded
        }
        assertThat(verifyThreads()).isEmpty();
        assertThatThrownBy(() -> ingest.ingest(Logs.input(ops.get(0)))).isInstanceOf(IllegalStateException.class);
    }

    private static List<Thread> verifyThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("pando-ingest-") && t.isAlive()).toList();
    }
}
