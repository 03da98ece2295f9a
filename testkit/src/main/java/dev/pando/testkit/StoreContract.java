package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.CborWriter;
import dev.pando.Hash;
import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.StoreException;
import dev.pando.TopicId;
import dev.pando.spi.LogRangeSize;
import dev.pando.spi.RawOperation;
import dev.pando.spi.Store;
import dev.pando.testkit.support.Operations;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link Store} must show, as the {@link Store} Javadoc states it. Extend this
 * class in your store's tests and implement {@link #createStore()}; every case then runs against
 * your store:
 *
 * <pre>{@code
 * class MyStoreTest extends StoreContract {
 *     @Override
 *     protected Store createStore() {
 *         return new MyStoreProvider().create(new StoreContext(ProviderOptions.empty()));
 *     }
 * }
 * }</pre>
 *
 * Each test gets a fresh, empty store, opened by the suite and closed after the test. A store that
 * cannot pass a case lists it in {@link #knownLimitations()} with the measured reason: the case is
 * then reported as aborted (skipped), never silently. Persistence
 * across reopening, configuration and failure modes are specific to each store: test them in the
 * subclass.
 */
public abstract class StoreContract {
    private static final PrivateKey ALICE = Operations.key(1);
    private static final PrivateKey BOB = Operations.key(2);
    private static final PrivateKey CAROL = Operations.key(3);
    private static final LogId LOG = LogId.fromHex("0102");
    private static final LogId OTHER_LOG = LogId.EMPTY;
    private static final TopicId TOPIC = TopicId.named("contract");
    private static final TopicId OTHER_TOPIC = TopicId.named("contract-other");

    /** The cases of this contract, one per test, for {@link #knownLimitations()}; each is named after its test. */
    public enum StoreCase {
        A_NEW_OPERATION_IS_STORED_AND_READ_BACK,
        A_DUPLICATE_RETURNS_FALSE_AND_CHANGES_NOTHING,
        A_FORK_AT_AN_OCCUPIED_SEQ_THROWS_AND_CHANGES_NOTHING,
        THE_SAME_SEQ_IN_ANOTHER_LOG_OR_OF_ANOTHER_AUTHOR_IS_NO_FORK,
        UNKNOWN_IDS_ARE_NOT_ERRORS,
        RAW_BYTES_ARE_RETURNED_EXACTLY_AS_GIVEN,
        A_HEADER_WITH_NON_CANONICAL_EXTENSION_ORDER_KEEPS_ITS_EXACT_BYTES,
        AN_OPERATION_WITHOUT_BODY_IS_READ_WITHOUT_BODY,
        AN_EMPTY_BODY_STAYS_PRESENT,
        A_DELETED_PAYLOAD_LEAVES_THE_HEADER,
        INSERTING_AN_OPERATION_AGAIN_RESTORES_ITS_DELETED_PAYLOAD,
        A_BATCH_RESTORES_DELETED_PAYLOADS_TOO,
        A_BATCH_WITH_A_FORK_RESTORES_NO_PAYLOAD,
        DELETE_PAYLOADS_RANGE_IS_INCLUSIVE_ON_BOTH_ENDS,
        A_DELETED_OPERATION_IS_GONE_AND_ITS_POSITION_FREE,
        DELETING_THE_LAST_OPERATION_OF_A_LOG_REMOVES_THE_LOG,
        A_LOG_IS_RETURNED_IN_ASCENDING_SEQ_ORDER_WHATEVER_THE_INSERT_ORDER,
        FROM_SEQ_IS_INCLUSIVE_AND_LIMIT_IS_EXACT,
        A_LONG_LOG_CAN_BE_PAGED_THROUGH,
        LOGS_MAY_HAVE_GAPS,
        LATEST_IS_THE_HIGHEST_SEQ_WITH_ITS_BODY,
        HEIGHTS_COVER_EVERY_AUTHOR_OF_A_LOG_ID,
        LOGS_ARE_ORDERED_BY_AUTHOR_THEN_LOG_ID,
        PRUNE_DELETES_EVERYTHING_BEFORE_THE_GIVEN_SEQ,
        RANGE_SIZE_COUNTS_OPERATIONS_AND_BYTES_INCLUSIVELY,
        UNKNOWN_LOGS_ARE_EMPTY_NOT_ERRORS,
        AN_EMPTY_STORE_HAS_NO_LOGS,
        A_BATCH_REPORTS_WHICH_OPERATIONS_WERE_NEW,
        A_BATCH_WITH_A_FORK_OF_A_STORED_OPERATION_STORES_NOTHING,
        A_BATCH_FORKING_ITSELF_STORES_NOTHING,
        LOGS_ARE_ASSOCIATED_WITH_TOPICS,
        ASSOCIATIONS_CAN_BE_REMOVED,
        AN_UNKNOWN_TOPIC_HAS_NO_LOGS,
        THE_TOPICS_SET_IS_A_SNAPSHOT,
        RANDOM_WRITES_MATCH_A_SIMPLE_MODEL,
        CLOSE_IS_IDEMPOTENT_AND_LATER_CALLS_THROW,
        A_STORE_IS_USABLE_ONLY_ONCE_OPENED_AND_OPENS_ONCE,
        CONCURRENT_INSERTS_AND_READS_ALL_LAND,
        NO_READER_SEES_HALF_A_BATCH,
        CONCURRENT_DUPLICATE_INSERTS_STORE_EACH_OPERATION_ONCE
    }

    /** The store under test, opened before each test and closed after it. */
    protected Store store;

    /**
     * A fresh store, made by its provider's {@code create} and not opened yet: the suite calls
     * {@link Store#open()} (and the lifecycle cases check what happens before it). Opened, it must
     * be empty. Called once before each test.
     */
    protected abstract Store createStore();

    /**
     * Cases this store cannot pass, each with the measured reason (e.g. "lost 2 of 500 concurrent
     * inserts in 3 of 10 runs"); such a case is aborted (reported as skipped) with the reason,
     * never silently. Empty by default: every case must pass.
     */
    protected Map<StoreCase, String> knownLimitations() {
        return Map.of();
    }

    /** Aborts the running case with the listed reason, if the store lists one. */
    private void limitation(StoreCase c) {
        KnownLimitations.abortIfListed(knownLimitations(), c);
    }

    @Test
    void knownLimitationsAreExplained() {
        KnownLimitations.assertExplained(knownLimitations());
    }

    @BeforeEach
    void openFreshStore() {
        store = createStore();
        store.open();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    private static LogKey logKey(PrivateKey key, LogId logId) {
        return new LogKey(key.publicKey(), logId);
    }

    private static List<Long> seqs(List<Operation> ops) {
        return ops.stream().map(Operation::seqNum).collect(Collectors.toList());
    }

    private void insertAll(List<Operation> ops) {
        for (Operation op : ops) {
            assertThat(store.insert(op)).as("insert %s", op).isTrue();
        }
    }

    // ---------------------------------------------------------------- insert / get / has

    @Test
    void aNewOperationIsStoredAndReadBack() {
        limitation(StoreCase.A_NEW_OPERATION_IS_STORED_AND_READ_BACK);
        Operation op = Operations.chain(ALICE, LOG, 1).get(0);

        assertThat(store.insert(op)).isTrue();

        assertThat(store.has(op.id())).isTrue();
        Optional<Operation> read = store.get(op.id());
        assertThat(read).contains(op);
        assertThat(read.orElseThrow().headerBytes()).isEqualTo(op.headerBytes());
        assertThat(read.orElseThrow().body()).isEqualTo(op.body());
    }

    @Test
    void aDuplicateReturnsFalseAndChangesNothing() {
        limitation(StoreCase.A_DUPLICATE_RETURNS_FALSE_AND_CHANGES_NOTHING);
        List<Operation> ops = Operations.chain(ALICE, LOG, 2);
        insertAll(ops);
        LogRangeSize before = store.rangeSize(ALICE.publicKey(), LOG, 0, Long.MAX_VALUE);

        assertThat(store.insert(ops.get(1))).isFalse();
        // the same operation without its body is the same id: still a duplicate, the body stays
        assertThat(store.insert(ops.get(0).withoutBody())).isFalse();

        assertThat(store.log(ALICE.publicKey(), LOG, 0, 100)).containsExactlyElementsOf(ops);
        assertThat(store.get(ops.get(0).id()).orElseThrow().body()).isEqualTo(ops.get(0).body());
        assertThat(store.rangeSize(ALICE.publicKey(), LOG, 0, Long.MAX_VALUE)).isEqualTo(before);
    }

    @Test
    void aForkAtAnOccupiedSeqThrowsAndChangesNothing() {
        limitation(StoreCase.A_FORK_AT_AN_OCCUPIED_SEQ_THROWS_AND_CHANGES_NOTHING);
        List<Operation> ops = Operations.chain(ALICE, LOG, 3);
        insertAll(ops);
        Operation fork = Operations.fork(ALICE, ops.get(1));

        assertThatThrownBy(() -> store.insert(fork)).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CONFLICT));

        assertThat(store.has(fork.id())).isFalse();
        assertThat(store.get(fork.id())).isEmpty();
        assertThat(store.get(ops.get(1).id())).contains(ops.get(1));
        assertThat(store.log(ALICE.publicKey(), LOG, 0, 100)).containsExactlyElementsOf(ops);
    }

    @Test
    void theSameSeqInAnotherLogOrOfAnotherAuthorIsNoFork() {
        limitation(StoreCase.THE_SAME_SEQ_IN_ANOTHER_LOG_OR_OF_ANOTHER_AUTHOR_IS_NO_FORK);
        Operation a = Operations.chain(ALICE, LOG, 1).get(0);
        Operation b = Operations.chain(ALICE, OTHER_LOG, 1).get(0);
        Operation c = Operations.chain(BOB, LOG, 1).get(0);

        assertThat(store.insert(a)).isTrue();
        assertThat(store.insert(b)).isTrue();
        assertThat(store.insert(c)).isTrue();

        assertThat(List.of(a, b, c)).allSatisfy(op -> assertThat(store.has(op.id())).isTrue());
    }

    @Test
    void unknownIdsAreNotErrors() {
        limitation(StoreCase.UNKNOWN_IDS_ARE_NOT_ERRORS);
        store.insert(Operations.chain(ALICE, LOG, 1).get(0));
        Hash unknown = Hash.of(new byte[] {1, 2, 3});

        assertThat(store.get(unknown)).isEmpty();
        assertThat(store.getRaw(unknown)).isEmpty();
        assertThat(store.has(unknown)).isFalse();
        assertThat(store.delete(unknown)).isFalse();
        assertThat(store.deletePayload(unknown)).isFalse();
    }

    @Test
    void rawBytesAreReturnedExactlyAsGiven() {
        limitation(StoreCase.RAW_BYTES_ARE_RETURNED_EXACTLY_AS_GIVEN);
        List<Operation> ops = Operations.chain(ALICE, LOG, 3, 100);
        insertAll(ops);

        for (Operation op : ops) {
            RawOperation raw = store.getRaw(op.id()).orElseThrow();
            assertThat(raw.id()).isEqualTo(op.id());
            assertThat(raw.seqNum()).isEqualTo(op.seqNum());
            assertThat(raw.header()).isEqualTo(op.headerBytes());
            assertThat(raw.body()).isPresent();
            assertThat(raw.body().orElseThrow()).isEqualTo(op.body().orElseThrow().bytes());
            assertThat(raw.size()).isEqualTo(op.headerBytes().length + 100L);
        }
    }

    @Test
    void aHeaderWithNonCanonicalExtensionOrderKeepsItsExactBytes() {
        limitation(StoreCase.A_HEADER_WITH_NON_CANONICAL_EXTENSION_ORDER_KEEPS_ITS_EXACT_BYTES);
        byte[] body = {9, 8, 7};
        Operation op = Operations.withUnsortedExtensions(ALICE, LOG, body);
        byte[] exact = op.headerBytes();
        // the fixture really is non-canonical: re-encoding its extensions would change bytes
        byte[] extensions = op.header().extensionsBytes().orElseThrow();
        assertThat(CborWriter.encode(op.header().extensions().orElseThrow())).isNotEqualTo(extensions);

        assertThat(store.insert(op)).isTrue();

        RawOperation raw = store.getRaw(op.id()).orElseThrow();
        assertThat(raw.header()).isEqualTo(exact);
        assertThat(Hash.of(raw.header())).isEqualTo(op.id());
        assertThat(raw.body().orElseThrow()).isEqualTo(body);
        assertThat(store.get(op.id()).orElseThrow().headerBytes()).isEqualTo(exact);
        assertThat(store.rawLog(ALICE.publicKey(), LOG, 0, 10)).singleElement()
                .satisfies(r -> assertThat(r.header()).isEqualTo(exact));
        Operation reread = store.log(ALICE.publicKey(), LOG, 0, 10).get(0);
        assertThat(reread.id()).isEqualTo(op.id());
        reread.validate();
    }

    // ---------------------------------------------------------------- bodies

    @Test
    void anOperationWithoutBodyIsReadWithoutBody() {
        limitation(StoreCase.AN_OPERATION_WITHOUT_BODY_IS_READ_WITHOUT_BODY);
        Operation op = Operations.chain(ALICE, LOG, 1, 0).get(0);
        store.insert(op);

        assertThat(store.get(op.id()).orElseThrow().body()).isEmpty();
        assertThat(store.getRaw(op.id()).orElseThrow().body()).isEmpty();
        assertThat(store.deletePayload(op.id())).as("nothing to delete").isFalse();
    }

    @Test
    void anEmptyBodyStaysPresent() {
        limitation(StoreCase.AN_EMPTY_BODY_STAYS_PRESENT);
        Operation op = Operation.builder(ALICE).logId(LOG).timestamp(1).body(new byte[0]).build();
        assertThat(op.body()).isPresent();
        store.insert(op);

        assertThat(store.get(op.id()).orElseThrow().body()).contains(op.body().orElseThrow());
        assertThat(store.getRaw(op.id()).orElseThrow().body()).hasValueSatisfying(b -> assertThat(b).isEmpty());
        assertThat(store.deletePayload(op.id())).isTrue();
        assertThat(store.getRaw(op.id()).orElseThrow().body()).isEmpty();
    }

    @Test
    void aDeletedPayloadLeavesTheHeader() {
        limitation(StoreCase.A_DELETED_PAYLOAD_LEAVES_THE_HEADER);
        List<Operation> ops = Operations.chain(ALICE, LOG, 2);
        insertAll(ops);
        Operation op = ops.get(1);

        assertThat(store.deletePayload(op.id())).isTrue();

        assertThat(store.has(op.id())).isTrue();
        Operation read = store.get(op.id()).orElseThrow();
        assertThat(read.body()).isEmpty();
        assertThat(read.headerBytes()).isEqualTo(op.headerBytes());
        assertThat(store.getRaw(op.id()).orElseThrow().body()).isEmpty();
        assertThat(store.log(ALICE.publicKey(), LOG, 0, 10)).containsExactly(ops.get(0), op.withoutBody());
        assertThat(store.deletePayload(op.id())).as("second time").isFalse();
        assertThat(store.get(ops.get(0).id()).orElseThrow().body()).isPresent();
    }

    @Test
    void insertingAnOperationAgainRestoresItsDeletedPayload() {
        limitation(StoreCase.INSERTING_AN_OPERATION_AGAIN_RESTORES_ITS_DELETED_PAYLOAD);
        List<Operation> ops = Operations.chain(ALICE, LOG, 3);
        insertAll(ops);
        Operation op = ops.get(1);
        assertThat(store.deletePayload(op.id())).isTrue();

        // without its body it brings nothing back
        assertThat(store.insert(op.withoutBody())).isFalse();
        assertThat(store.get(op.id()).orElseThrow().body()).isEmpty();

        // with its body (sync sends it again) the payload is back; the operation is still not new
        assertThat(store.insert(op)).isFalse();
        assertThat(store.get(op.id())).contains(op);
        assertThat(store.get(op.id()).orElseThrow().body()).isEqualTo(op.body());
        assertThat(store.getRaw(op.id()).orElseThrow().body()).hasValueSatisfying(
                b -> assertThat(b).isEqualTo(op.body().orElseThrow().bytes()));
        assertThat(store.log(ALICE.publicKey(), LOG, 0, 10)).containsExactlyElementsOf(ops);
        assertThat(store.rangeSize(ALICE.publicKey(), LOG, 0, 10))
                .isEqualTo(new LogRangeSize(3, ops.stream().mapToLong(o -> o.headerBytes().length
                        + o.body().map(b -> b.size()).orElse(0)).sum()));

        // and inserting it without the body again does not delete it
        assertThat(store.insert(op.withoutBody())).isFalse();
        assertThat(store.get(op.id()).orElseThrow().body()).isEqualTo(op.body());
    }

    @Test
    void aBatchRestoresDeletedPayloadsToo() {
        limitation(StoreCase.A_BATCH_RESTORES_DELETED_PAYLOADS_TOO);
        List<Operation> ops = Operations.chain(ALICE, LOG, 4);
        insertAll(ops.subList(0, 3));
        assertThat(store.deletePayloads(ALICE.publicKey(), LOG, 0, 2)).isEqualTo(3);

        assertThat(store.insertBatch(List.of(ops.get(0).withoutBody(), ops.get(1), ops.get(3))))
                .containsExactly(false, false, true);

        assertThat(store.get(ops.get(0).id()).orElseThrow().body()).as("seq 0, sent without body").isEmpty();
        assertThat(store.get(ops.get(1).id())).as("seq 1, sent with body").contains(ops.get(1));
        assertThat(store.get(ops.get(1).id()).orElseThrow().body()).isEqualTo(ops.get(1).body());
        assertThat(store.get(ops.get(2).id()).orElseThrow().body()).as("seq 2, not sent").isEmpty();
        assertThat(store.get(ops.get(3).id()).orElseThrow().body()).isEqualTo(ops.get(3).body());
    }

    @Test
    void aBatchWithAForkRestoresNoPayload() {
        limitation(StoreCase.A_BATCH_WITH_A_FORK_RESTORES_NO_PAYLOAD);
        List<Operation> ops = Operations.chain(ALICE, LOG, 3);
        insertAll(ops);
        assertThat(store.deletePayload(ops.get(0).id())).isTrue();
        Operation fork = Operations.fork(ALICE, ops.get(2));

        assertThatThrownBy(() -> store.insertBatch(List.of(ops.get(0), fork))).isInstanceOf(StoreException.class);

        assertThat(store.get(ops.get(0).id()).orElseThrow().body()).isEmpty();
    }

    @Test
    void deletePayloadsRangeIsInclusiveOnBothEnds() {
        limitation(StoreCase.DELETE_PAYLOADS_RANGE_IS_INCLUSIVE_ON_BOTH_ENDS);
        List<Operation> ops = Operations.chain(ALICE, LOG, 10);
        insertAll(ops);
        Operation otherLog = Operations.chain(BOB, LOG, 1).get(0);
        store.insert(otherLog);

        assertThat(store.deletePayloads(ALICE.publicKey(), LOG, 2, 5)).isEqualTo(4);

        for (Operation op : ops) {
            boolean deleted = op.seqNum() >= 2 && op.seqNum() <= 5;
            assertThat(store.get(op.id()).orElseThrow().body().isPresent()).as("seq %d has a body", op.seqNum())
                    .isEqualTo(!deleted);
        }
        assertThat(store.log(ALICE.publicKey(), LOG, 0, 100)).hasSize(10);
        assertThat(store.get(otherLog.id()).orElseThrow().body()).isPresent();
        assertThat(store.deletePayloads(ALICE.publicKey(), LOG, 2, 5)).as("again").isZero();
        assertThat(store.deletePayloads(ALICE.publicKey(), LOG, 5, 2)).as("from > to").isZero();
        assertThat(store.deletePayloads(ALICE.publicKey(), LOG, 0, Long.MAX_VALUE)).isEqualTo(6);
        assertThat(store.deletePayloads(CAROL.publicKey(), LOG, 0, Long.MAX_VALUE)).isZero();
    }

    // ---------------------------------------------------------------- delete

    @Test
    void aDeletedOperationIsGoneAndItsPositionFree() {
        limitation(StoreCase.A_DELETED_OPERATION_IS_GONE_AND_ITS_POSITION_FREE);
        List<Operation> ops = Operations.chain(ALICE, LOG, 3);
        insertAll(ops);
        Operation gone = ops.get(2);

        assertThat(store.delete(gone.id())).isTrue();

        assertThat(store.has(gone.id())).isFalse();
        assertThat(store.get(gone.id())).isEmpty();
        assertThat(store.getRaw(gone.id())).isEmpty();
        assertThat(store.log(ALICE.publicKey(), LOG, 0, 10)).containsExactly(ops.get(0), ops.get(1));
        assertThat(store.latest(ALICE.publicKey(), LOG)).contains(ops.get(1));
        assertThat(store.delete(gone.id())).as("second time").isFalse();
        Operation replacement = Operations.fork(ALICE, gone);
        assertThat(store.insert(replacement)).isTrue();
        assertThat(store.latest(ALICE.publicKey(), LOG)).contains(replacement);
    }

    @Test
    void deletingTheLastOperationOfALogRemovesTheLog() {
        limitation(StoreCase.DELETING_THE_LAST_OPERATION_OF_A_LOG_REMOVES_THE_LOG);
        Operation op = Operations.chain(ALICE, LOG, 1).get(0);
        store.insert(op);
        store.addToTopic(TOPIC, logKey(ALICE, LOG));

        store.delete(op.id());

        assertThat(store.logs()).isEmpty();
        assertThat(store.heights(LOG)).isEmpty();
        assertThat(store.latest(ALICE.publicKey(), LOG)).isEmpty();
        assertThat(store.topicLogs(TOPIC)).as("topic associations are independent of operations")
                .containsExactly(logKey(ALICE, LOG));
    }

    // ---------------------------------------------------------------- logs

    @Test
    void aLogIsReturnedInAscendingSeqOrderWhateverTheInsertOrder() {
        limitation(StoreCase.A_LOG_IS_RETURNED_IN_ASCENDING_SEQ_ORDER_WHATEVER_THE_INSERT_ORDER);
        List<Operation> ops = Operations.chain(ALICE, LOG, 10);
        List<Operation> shuffled = new ArrayList<>(ops);
        Collections.shuffle(shuffled, new Random(7));
        insertAll(shuffled);
        store.insert(Operations.chain(ALICE, OTHER_LOG, 3).get(0));
        store.insert(Operations.chain(BOB, LOG, 3).get(0));

        assertThat(store.log(ALICE.publicKey(), LOG, 0, 100)).containsExactlyElementsOf(ops);
        assertThat(store.rawLog(ALICE.publicKey(), LOG, 0, 100)).extracting(RawOperation::id)
                .containsExactlyElementsOf(ops.stream().map(Operation::id).collect(Collectors.toList()));
        assertThat(store.rawLog(ALICE.publicKey(), LOG, 0, 100)).extracting(RawOperation::seqNum)
                .containsExactlyElementsOf(seqs(ops));
    }

    @Test
    void fromSeqIsInclusiveAndLimitIsExact() {
        limitation(StoreCase.FROM_SEQ_IS_INCLUSIVE_AND_LIMIT_IS_EXACT);
        List<Operation> ops = Operations.chain(ALICE, LOG, 10);
        insertAll(ops);
        PublicKey a = ALICE.publicKey();

        assertThat(seqs(store.log(a, LOG, 3, 4))).containsExactly(3L, 4L, 5L, 6L);
        assertThat(store.rawLog(a, LOG, 3, 4)).extracting(RawOperation::seqNum).containsExactly(3L, 4L, 5L, 6L);
        assertThat(seqs(store.log(a, LOG, 9, 100))).containsExactly(9L);
        assertThat(store.log(a, LOG, 10, 100)).isEmpty();
        assertThat(store.rawLog(a, LOG, 10, 100)).isEmpty();
        assertThat(store.log(a, LOG, 0, 0)).isEmpty();
        assertThat(store.rawLog(a, LOG, 0, 0)).isEmpty();
        assertThat(store.log(a, LOG, Long.MAX_VALUE, 10)).isEmpty();
    }

    @Test
    void aLongLogCanBePagedThrough() {
        limitation(StoreCase.A_LONG_LOG_CAN_BE_PAGED_THROUGH);
        List<Operation> ops = Operations.chain(ALICE, LOG, 25, 8);
        insertAll(ops);

        List<RawOperation> all = new ArrayList<>();
        long from = 0;
        while (true) {
            List<RawOperation> page = store.rawLog(ALICE.publicKey(), LOG, from, 7);
            assertThat(page.size()).isLessThanOrEqualTo(7);
            if (page.isEmpty()) {
                break;
            }
            all.addAll(page);
            from = page.get(page.size() - 1).seqNum() + 1;
        }

        assertThat(all).extracting(RawOperation::seqNum).containsExactlyElementsOf(seqs(ops));
    }

    @Test
    void logsMayHaveGaps() {
        limitation(StoreCase.LOGS_MAY_HAVE_GAPS);
        List<Operation> ops = Operations.chain(ALICE, LOG, 7);
        List<Operation> withGap = List.of(ops.get(0), ops.get(1), ops.get(2), ops.get(5), ops.get(6));
        insertAll(withGap);

        assertThat(store.log(ALICE.publicKey(), LOG, 0, 100)).containsExactlyElementsOf(withGap);
        assertThat(seqs(store.log(ALICE.publicKey(), LOG, 3, 100))).containsExactly(5L, 6L);
        assertThat(store.latest(ALICE.publicKey(), LOG)).contains(ops.get(6));
        assertThat(store.heights(LOG)).containsExactly(Map.entry(ALICE.publicKey(), 6L));
    }

    @Test
    void latestIsTheHighestSeqWithItsBody() {
        limitation(StoreCase.LATEST_IS_THE_HIGHEST_SEQ_WITH_ITS_BODY);
        List<Operation> ops = Operations.chain(ALICE, LOG, 5);
        insertAll(List.of(ops.get(4), ops.get(0), ops.get(2)));

        assertThat(store.latest(ALICE.publicKey(), LOG)).contains(ops.get(4));
        assertThat(store.latest(ALICE.publicKey(), LOG).orElseThrow().body()).isEqualTo(ops.get(4).body());
        assertThat(store.latest(ALICE.publicKey(), OTHER_LOG)).isEmpty();
        assertThat(store.latest(BOB.publicKey(), LOG)).isEmpty();
    }

    @Test
    void heightsCoverEveryAuthorOfALogId() {
        limitation(StoreCase.HEIGHTS_COVER_EVERY_AUTHOR_OF_A_LOG_ID);
        insertAll(Operations.chain(ALICE, LOG, 3));
        insertAll(Operations.chain(BOB, LOG, 5));
        insertAll(Operations.chain(CAROL, OTHER_LOG, 2));
        insertAll(Operations.chain(ALICE, OTHER_LOG, 1));

        assertThat(store.heights(LOG)).containsOnly(
                Map.entry(ALICE.publicKey(), 2L), Map.entry(BOB.publicKey(), 4L));
        assertThat(store.heights(OTHER_LOG)).containsOnly(
                Map.entry(CAROL.publicKey(), 1L), Map.entry(ALICE.publicKey(), 0L));
        assertThat(store.heights(LogId.fromHex("ff"))).isEmpty();
    }

    @Test
    void logsAreOrderedByAuthorThenLogId() {
        limitation(StoreCase.LOGS_ARE_ORDERED_BY_AUTHOR_THEN_LOG_ID);
        // log ids chosen to catch signed-byte and prefix ordering mistakes
        List<LogId> logIds = List.of(LogId.EMPTY, LogId.fromHex("00"), LogId.fromHex("0001"), LogId.fromHex("7f"),
                LogId.fromHex("80"), LogId.fromHex("ff"));
        List<Operation> ops = new ArrayList<>();
        for (PrivateKey key : List.of(ALICE, BOB, CAROL)) {
            for (LogId id : logIds) {
                ops.addAll(Operations.chain(key, id, 2, 0));
            }
        }
        Collections.shuffle(ops, new Random(11));
        insertAll(ops);

        List<LogKey> expected = new ArrayList<>();
        for (PrivateKey key : List.of(ALICE, BOB, CAROL)) {
            for (LogId id : logIds) {
                expected.add(logKey(key, id));
            }
        }
        Collections.sort(expected);
        assertThat(store.logs()).containsExactlyElementsOf(expected);
    }

    @Test
    void pruneDeletesEverythingBeforeTheGivenSeq() {
        limitation(StoreCase.PRUNE_DELETES_EVERYTHING_BEFORE_THE_GIVEN_SEQ);
        List<Operation> ops = Operations.chain(ALICE, LOG, 10);
        insertAll(ops);
        List<Operation> bobs = Operations.chain(BOB, LOG, 3);
        insertAll(bobs);
        PublicKey a = ALICE.publicKey();

        assertThat(store.prune(a, LOG, 0)).isZero();
        assertThat(store.prune(a, LOG, 4)).isEqualTo(4);

        assertThat(seqs(store.log(a, LOG, 0, 100))).containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(store.has(ops.get(3).id())).isFalse();
        assertThat(store.has(ops.get(4).id())).isTrue();
        assertThat(store.prune(a, LOG, 4)).as("again").isZero();
        assertThat(store.prune(a, OTHER_LOG, 100)).isZero();
        assertThat(store.log(BOB.publicKey(), LOG, 0, 100)).containsExactlyElementsOf(bobs);
        assertThat(store.prune(a, LOG, Long.MAX_VALUE)).isEqualTo(6);
        assertThat(store.logs()).containsExactly(logKey(BOB, LOG));
    }

    @Test
    void rangeSizeCountsOperationsAndBytesInclusively() {
        limitation(StoreCase.RANGE_SIZE_COUNTS_OPERATIONS_AND_BYTES_INCLUSIVELY);
        List<Operation> ops = Operations.chain(ALICE, LOG, 10, 50);
        insertAll(ops);
        insertAll(Operations.chain(BOB, LOG, 2, 50));
        PublicKey a = ALICE.publicKey();

        assertThat(store.rangeSize(a, LOG, 2, 5)).isEqualTo(new LogRangeSize(4, bytes(ops.subList(2, 6))));
        assertThat(store.rangeSize(a, LOG, 3, 3)).isEqualTo(new LogRangeSize(1, bytes(ops.subList(3, 4))));
        assertThat(store.rangeSize(a, LOG, 0, Long.MAX_VALUE)).isEqualTo(new LogRangeSize(10, bytes(ops)));
        assertThat(store.rangeSize(a, LOG, 5, 2)).isEqualTo(LogRangeSize.EMPTY);
        assertThat(store.rangeSize(a, LOG, 10, 20)).isEqualTo(LogRangeSize.EMPTY);
        assertThat(store.rangeSize(CAROL.publicKey(), LOG, 0, 10)).isEqualTo(LogRangeSize.EMPTY);

        store.deletePayloads(a, LOG, 2, 5);
        long headers = ops.subList(2, 6).stream().mapToLong(o -> o.headerBytes().length).sum();
        assertThat(store.rangeSize(a, LOG, 2, 5)).isEqualTo(new LogRangeSize(4, headers));
    }

    private long bytes(List<Operation> ops) {
        return ops.stream().mapToLong(o -> o.headerBytes().length + o.body().map(b -> b.size()).orElse(0)).sum();
    }

    @Test
    void unknownLogsAreEmptyNotErrors() {
        limitation(StoreCase.UNKNOWN_LOGS_ARE_EMPTY_NOT_ERRORS);
        insertAll(Operations.chain(ALICE, LOG, 2));
        PublicKey b = BOB.publicKey();

        assertThat(store.log(b, LOG, 0, 10)).isEmpty();
        assertThat(store.rawLog(b, LOG, 0, 10)).isEmpty();
        assertThat(store.latest(b, LOG)).isEmpty();
        assertThat(store.heights(LogId.fromHex("abcd"))).isEmpty();
        assertThat(store.prune(b, LOG, 100)).isZero();
        assertThat(store.deletePayloads(b, LOG, 0, 100)).isZero();
        assertThat(store.rangeSize(b, LOG, 0, 100)).isEqualTo(LogRangeSize.EMPTY);
    }

    @Test
    void anEmptyStoreHasNoLogs() {
        limitation(StoreCase.AN_EMPTY_STORE_HAS_NO_LOGS);
        assertThat(store.logs()).isEmpty();
        assertThat(store.heights(LOG)).isEmpty();
    }

    // ---------------------------------------------------------------- batches

    @Test
    void aBatchReportsWhichOperationsWereNew() {
        limitation(StoreCase.A_BATCH_REPORTS_WHICH_OPERATIONS_WERE_NEW);
        List<Operation> ops = Operations.chain(ALICE, LOG, 5);
        store.insert(ops.get(1));

        boolean[] result = store.insertBatch(List.of(ops.get(0), ops.get(1), ops.get(2), ops.get(2), ops.get(3),
                ops.get(4)));

        assertThat(result).containsExactly(true, false, true, false, true, true);
        assertThat(store.log(ALICE.publicKey(), LOG, 0, 100)).containsExactlyElementsOf(ops);
        assertThat(store.insertBatch(ops)).containsExactly(false, false, false, false, false);
        assertThat(store.insertBatch(List.of())).isEmpty();
    }

    @Test
    void aBatchWithAForkOfAStoredOperationStoresNothing() {
        limitation(StoreCase.A_BATCH_WITH_A_FORK_OF_A_STORED_OPERATION_STORES_NOTHING);
        List<Operation> ops = Operations.chain(ALICE, LOG, 6);
        insertAll(ops.subList(0, 2));
        Operation fork = Operations.fork(ALICE, ops.get(1));
        Operation bobs = Operations.chain(BOB, LOG, 1).get(0);
        List<Operation> batch = List.of(ops.get(2), ops.get(3), bobs, fork, ops.get(4), ops.get(5));

        assertThatThrownBy(() -> store.insertBatch(batch)).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CONFLICT));

        assertThat(batch).noneSatisfy(op -> assertThat(store.has(op.id())).isTrue());
        assertThat(store.log(ALICE.publicKey(), LOG, 0, 100)).containsExactlyElementsOf(ops.subList(0, 2));
        assertThat(store.logs()).containsExactly(logKey(ALICE, LOG));
        assertThat(store.insertBatch(ops.subList(2, 6))).as("the same batch without the fork")
                .containsExactly(true, true, true, true);
    }

    @Test
    void aBatchForkingItselfStoresNothing() {
        limitation(StoreCase.A_BATCH_FORKING_ITSELF_STORES_NOTHING);
        List<Operation> ops = Operations.chain(ALICE, LOG, 3);
        Operation fork = Operations.fork(ALICE, ops.get(2));

        assertThatThrownBy(() -> store.insertBatch(List.of(ops.get(0), ops.get(1), ops.get(2), fork)))
                .isInstanceOf(StoreException.class);

        assertThat(store.logs()).isEmpty();
        assertThat(ops).noneSatisfy(op -> assertThat(store.has(op.id())).isTrue());
    }

    // ---------------------------------------------------------------- topics

    @Test
    void logsAreAssociatedWithTopics() {
        limitation(StoreCase.LOGS_ARE_ASSOCIATED_WITH_TOPICS);
        LogKey aliceLog = logKey(ALICE, LOG);
        LogKey bobLog = logKey(BOB, OTHER_LOG);

        assertThat(store.addToTopic(TOPIC, aliceLog)).isTrue();
        assertThat(store.addToTopic(TOPIC, aliceLog)).as("again").isFalse();
        assertThat(store.addToTopic(TOPIC, bobLog)).isTrue();
        assertThat(store.addToTopic(OTHER_TOPIC, aliceLog)).as("a log in a second topic").isTrue();

        assertThat(store.topicLogs(TOPIC)).containsExactlyInAnyOrder(aliceLog, bobLog);
        assertThat(store.topicLogs(OTHER_TOPIC)).containsExactly(aliceLog);
        assertThat(store.logs()).as("no operations were stored").isEmpty();
    }

    @Test
    void associationsCanBeRemoved() {
        limitation(StoreCase.ASSOCIATIONS_CAN_BE_REMOVED);
        LogKey aliceLog = logKey(ALICE, LOG);
        store.addToTopic(TOPIC, aliceLog);
        store.addToTopic(OTHER_TOPIC, aliceLog);

        assertThat(store.removeFromTopic(TOPIC, aliceLog)).isTrue();
        assertThat(store.removeFromTopic(TOPIC, aliceLog)).as("again").isFalse();
        assertThat(store.removeFromTopic(TOPIC, logKey(CAROL, LOG))).isFalse();

        assertThat(store.topicLogs(TOPIC)).isEmpty();
        assertThat(store.topicLogs(OTHER_TOPIC)).containsExactly(aliceLog);
    }

    @Test
    void anUnknownTopicHasNoLogs() {
        limitation(StoreCase.AN_UNKNOWN_TOPIC_HAS_NO_LOGS);
        assertThat(store.topicLogs(TopicId.named("nobody"))).isEmpty();
        assertThat(store.removeFromTopic(TopicId.named("nobody"), logKey(ALICE, LOG))).isFalse();
    }

    @Test
    void theTopicsSetIsASnapshot() {
        limitation(StoreCase.THE_TOPICS_SET_IS_A_SNAPSHOT);
        store.addToTopic(TOPIC, logKey(ALICE, LOG));
        var before = store.topicLogs(TOPIC);
        store.addToTopic(TOPIC, logKey(BOB, LOG));

        assertThat(before).containsExactly(logKey(ALICE, LOG));
    }

    // ---------------------------------------------------------------- against a model

    /**
     * Hundreds of random writes — inserts, batches (some containing forks), deletes, payload
     * deletions, prunes — each checked against what a plain map model says, and the whole
     * observable state compared to the model every few steps. Seeded: failures reproduce.
     */
    @Test
    void randomWritesMatchASimpleModel() {
        limitation(StoreCase.RANDOM_WRITES_MATCH_A_SIMPLE_MODEL);
        List<Operation> pool = new ArrayList<>();
        List<LogKey> keys = new ArrayList<>();
        for (PrivateKey key : List.of(ALICE, BOB)) {
            for (LogId id : List.of(LOG, OTHER_LOG)) {
                keys.add(logKey(key, id));
                List<Operation> chain = Operations.chain(key, id, 12, 8);
                pool.addAll(chain);
                for (int i = 0; i < chain.size(); i += 3) {
                    pool.add(Operations.fork(key, chain.get(i)));
                }
            }
        }
        Map<LogKey, TreeMap<Long, Operation>> model = new HashMap<>();
        Random random = new Random(42);
        for (int step = 0; step < 400; step++) {
            Operation op = pool.get(random.nextInt(pool.size()));
            LogKey key = keys.get(random.nextInt(keys.size()));
            int action = random.nextInt(10);
            if (action < 4) {
                Map<LogKey, TreeMap<Long, Operation>> next = copy(model);
                Boolean fresh = place(next, op);
                if (fresh == null) {
                    assertThat(catchThrowable(() -> store.insert(op))).as("step %d: fork %s", step, op).isInstanceOf(StoreException.class);
                } else {
                    assertThat(store.insert(op)).as("step %d: insert %s", step, op).isEqualTo(fresh);
                    model = next;
                }
            } else if (action < 6) {
                List<Operation> batch = new ArrayList<>();
                for (int i = 1 + random.nextInt(5); i > 0; i--) {
                    batch.add(pool.get(random.nextInt(pool.size())));
                }
                Map<LogKey, TreeMap<Long, Operation>> next = copy(model);
                boolean[] expected = new boolean[batch.size()];
                boolean forks = false;
                for (int i = 0; i < batch.size() && !forks; i++) {
                    Boolean fresh = place(next, batch.get(i));
                    forks = fresh == null;
                    expected[i] = !forks && fresh;
                }
                if (forks) {
                    assertThat(catchThrowable(() -> store.insertBatch(batch))).as("step %d: batch with a fork", step)
                            .isInstanceOf(StoreException.class);
                } else {
                    assertThat(store.insertBatch(batch)).as("step %d: batch", step).containsExactly(expected);
                    model = next;
                }
            } else if (action == 6) {
                boolean present = find(model, op) != null;
                assertThat(store.delete(op.id())).as("step %d: delete", step).isEqualTo(present);
                if (present) {
                    model.get(new LogKey(op.author(), op.logId())).remove(op.seqNum());
                }
            } else if (action == 7) {
                Operation stored = find(model, op);
                boolean hasBody = stored != null && stored.body().isPresent();
                assertThat(store.deletePayload(op.id())).as("step %d: deletePayload", step).isEqualTo(hasBody);
                if (hasBody) {
                    model.get(new LogKey(op.author(), op.logId())).put(op.seqNum(), stored.withoutBody());
                }
            } else if (action == 8) {
                long before = random.nextInt(14);
                TreeMap<Long, Operation> log = model.computeIfAbsent(key, k -> new TreeMap<>());
                int expected = log.headMap(before).size();
                assertThat(store.prune(key.author(), key.logId(), before)).as("step %d: prune", step).isEqualTo(expected);
                log.headMap(before).clear();
            } else {
                long from = random.nextInt(14);
                long to = from + random.nextInt(6) - 1;
                TreeMap<Long, Operation> log = model.computeIfAbsent(key, k -> new TreeMap<>());
                List<Operation> withBody = from > to ? List.of() : log.subMap(from, true, to, true).values().stream()
                        .filter(o -> o.body().isPresent()).collect(Collectors.toList());
                assertThat(store.deletePayloads(key.author(), key.logId(), from, to)).as("step %d: deletePayloads", step)
                        .isEqualTo(withBody.size());
                withBody.forEach(o -> log.put(o.seqNum(), o.withoutBody()));
            }
            if (step % 25 == 24) {
                assertMatches(model, keys, pool, step);
            }
        }
        assertMatches(model, keys, pool, 400);
    }

    /** Places {@code op} in the model: {@code true} if new, {@code false} if present, {@code null} for a fork. */
    private static Boolean place(Map<LogKey, TreeMap<Long, Operation>> model, Operation op) {
        TreeMap<Long, Operation> log = model.computeIfAbsent(new LogKey(op.author(), op.logId()), k -> new TreeMap<>());
        Operation occupant = log.get(op.seqNum());
        if (occupant == null) {
            log.put(op.seqNum(), op);
            return true;
        }
        if (!occupant.id().equals(op.id())) {
            return null;
        }
        if (occupant.body().isEmpty() && op.body().isPresent()) {
            log.put(op.seqNum(), op); // inserted again: the deleted payload is back
        }
        return Boolean.FALSE;
    }

    private static Operation find(Map<LogKey, TreeMap<Long, Operation>> model, Operation op) {
        TreeMap<Long, Operation> log = model.get(new LogKey(op.author(), op.logId()));
        Operation at = log == null ? null : log.get(op.seqNum());
        return at != null && at.id().equals(op.id()) ? at : null;
    }

    private static Map<LogKey, TreeMap<Long, Operation>> copy(Map<LogKey, TreeMap<Long, Operation>> model) {
        Map<LogKey, TreeMap<Long, Operation>> copy = new HashMap<>();
        model.forEach((k, v) -> copy.put(k, new TreeMap<>(v)));
        return copy;
    }

    private void assertMatches(Map<LogKey, TreeMap<Long, Operation>> model, List<LogKey> keys, List<Operation> pool, int step) {
        List<LogKey> nonEmpty = model.entrySet().stream().filter(e -> !e.getValue().isEmpty()).map(Map.Entry::getKey)
                .sorted().collect(Collectors.toList());
        assertThat(store.logs()).as("step %d: logs()", step).containsExactlyElementsOf(nonEmpty);
        for (LogKey key : keys) {
            List<Operation> expected = new ArrayList<>(model.getOrDefault(key, new TreeMap<>()).values());
            assertThat(store.log(key.author(), key.logId(), 0, 100)).as("step %d: log %s", step, key)
                    .containsExactlyElementsOf(expected);
            List<RawOperation> raw = store.rawLog(key.author(), key.logId(), 0, 100);
            assertThat(raw).extracting(RawOperation::id).as("step %d: rawLog %s", step, key)
                    .containsExactlyElementsOf(expected.stream().map(Operation::id).collect(Collectors.toList()));
            long bytes = expected.stream().mapToLong(o -> o.headerBytes().length + o.body().map(b -> b.size()).orElse(0)).sum();
            assertThat(store.rangeSize(key.author(), key.logId(), 0, Long.MAX_VALUE)).as("step %d: rangeSize %s", step, key)
                    .isEqualTo(expected.isEmpty() ? LogRangeSize.EMPTY : new LogRangeSize(expected.size(), bytes));
            assertThat(store.latest(key.author(), key.logId())).as("step %d: latest %s", step, key)
                    .isEqualTo(expected.isEmpty() ? Optional.empty() : Optional.of(expected.get(expected.size() - 1)));
        }
        for (LogId id : List.of(LOG, OTHER_LOG)) {
            Map<PublicKey, Long> heights = new HashMap<>();
            model.forEach((k, v) -> {
                if (k.logId().equals(id) && !v.isEmpty()) {
                    heights.put(k.author(), v.lastKey());
                }
            });
            assertThat(store.heights(id)).as("step %d: heights %s", step, id).isEqualTo(heights);
        }
        for (Operation op : pool) {
            assertThat(store.has(op.id())).as("step %d: has %s", step, op).isEqualTo(find(model, op) != null);
        }
    }

    // ---------------------------------------------------------------- lifecycle

    @Test
    void closeIsIdempotentAndLaterCallsThrow() {
        limitation(StoreCase.CLOSE_IS_IDEMPOTENT_AND_LATER_CALLS_THROW);
        Operation op = Operations.chain(ALICE, LOG, 1).get(0);
        store.insert(op);
        PublicKey a = ALICE.publicKey();
        LogKey key = logKey(ALICE, LOG);

        store.close();
        store.close();

        List<Runnable> calls = List.of(
                () -> store.insert(op),
                () -> store.insertBatch(List.of(op)),
                () -> store.get(op.id()),
                () -> store.getRaw(op.id()),
                () -> store.has(op.id()),
                () -> store.delete(op.id()),
                () -> store.deletePayload(op.id()),
                () -> store.log(a, LOG, 0, 10),
                () -> store.rawLog(a, LOG, 0, 10),
                () -> store.latest(a, LOG),
                () -> store.heights(LOG),
                () -> store.logs(),
                () -> store.prune(a, LOG, 1),
                () -> store.deletePayloads(a, LOG, 0, 1),
                () -> store.rangeSize(a, LOG, 0, 1),
                () -> store.addToTopic(TOPIC, key),
                () -> store.removeFromTopic(TOPIC, key),
                () -> store.topicLogs(TOPIC));
        for (int i = 0; i < calls.size(); i++) {
            assertThat(catchThrowable(calls.get(i)::run)).as("call %d after close", i).isInstanceOfSatisfying(StoreException.class,
                    e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CLOSED));
        }
        assertThat(catchThrowable(store::open)).as("open after close").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aStoreIsUsableOnlyOnceOpenedAndOpensOnce() {
        limitation(StoreCase.A_STORE_IS_USABLE_ONLY_ONCE_OPENED_AND_OPENS_ONCE);
        Operation op = Operations.chain(ALICE, LOG, 1).get(0);
        Store created = createStore();
        try {
            assertThat(catchThrowable(() -> created.insert(op))).as("insert before open").isInstanceOf(IllegalStateException.class);
            assertThat(catchThrowable(() -> created.has(op.id()))).as("has before open").isInstanceOf(IllegalStateException.class);
            assertThat(catchThrowable(created::logs)).as("logs before open").isInstanceOf(IllegalStateException.class);
        } finally {
            created.close();
        }
        created.close();
        assertThat(catchThrowable(created::open)).as("open after close").isInstanceOf(IllegalStateException.class);

        assertThat(catchThrowable(store::open)).as("open twice").isInstanceOf(IllegalStateException.class);
        assertThat(store.insert(op)).as("still usable after a second open was refused").isTrue();
    }

    // ---------------------------------------------------------------- concurrency

    private static final int THREADS = 4;
    private static final int OPS_PER_THREAD = 500;

    @Test
    void concurrentInsertsAndReadsAllLand() throws Exception {
        limitation(StoreCase.CONCURRENT_INSERTS_AND_READS_ALL_LAND);
        Operations.Logs logs = Operations.logs(THREADS, OPS_PER_THREAD, LOG, 16);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS * 2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Future<?>> writers = new ArrayList<>();
            List<Future<?>> readers = new ArrayList<>();
            for (PrivateKey key : logs.keys()) {
                List<Operation> log = logs.of(key);
                writers.add(pool.submit(() -> {
                    start.await();
                    for (Operation op : log) {
                        assertThat(store.insert(op)).isTrue();
                    }
                    return null;
                }));
                // each log is written in seq order, so a reader must always see a gap-free prefix
                readers.add(pool.submit(() -> {
                    start.await();
                    while (writing.get()) {
                        List<RawOperation> seen = store.rawLog(key.publicKey(), LOG, 0, OPS_PER_THREAD);
                        for (int i = 0; i < seen.size(); i++) {
                            assertThat(seen.get(i).seqNum()).isEqualTo(i);
                        }
                        if (!seen.isEmpty()) {
                            assertThat(store.has(seen.get(seen.size() - 1).id())).isTrue();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : writers) {
                f.get(2, TimeUnit.MINUTES);
            }
            writing.set(false);
            for (Future<?> f : readers) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        for (PrivateKey key : logs.keys()) {
            assertThat(store.log(key.publicKey(), LOG, 0, OPS_PER_THREAD + 1)).containsExactlyElementsOf(logs.of(key));
        }
        assertThat(store.heights(LOG)).hasSize(THREADS).allSatisfy((k, h) -> assertThat(h).isEqualTo(OPS_PER_THREAD - 1));
        assertThat(store.logs()).hasSize(THREADS);
    }

    @Test
    void noReaderSeesHalfABatch() throws Exception {
        limitation(StoreCase.NO_READER_SEES_HALF_A_BATCH);
        int batchSize = 50;
        List<Operation> log = Operations.chain(ALICE, LOG, 500, 16);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean writing = new AtomicBoolean(true);
            Future<?> writer = pool.submit(() -> {
                start.await();
                for (int i = 0; i < log.size(); i += batchSize) {
                    store.insertBatch(log.subList(i, i + batchSize));
                }
                return null;
            });
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    start.await();
                    while (writing.get()) {
                        int size = store.rawLog(ALICE.publicKey(), LOG, 0, log.size()).size();
                        assertThat(size % batchSize).as("visible operations: %d", size).isZero();
                        long count = store.rangeSize(ALICE.publicKey(), LOG, 0, Long.MAX_VALUE).operations();
                        assertThat(count % batchSize).as("counted operations: %d", count).isZero();
                    }
                    return null;
                }));
            }
            start.countDown();
            writer.get(2, TimeUnit.MINUTES);
            writing.set(false);
            for (Future<?> f : readers) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(store.rawLog(ALICE.publicKey(), LOG, 0, 1000)).hasSize(log.size());
    }

    @Test
    void concurrentDuplicateInsertsStoreEachOperationOnce() throws Exception {
        limitation(StoreCase.CONCURRENT_DUPLICATE_INSERTS_STORE_EACH_OPERATION_ONCE);
        List<Operation> log = Operations.chain(ALICE, LOG, 200, 8);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<Integer>> results = new ArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            for (int t = 0; t < THREADS; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    int fresh = 0;
                    for (Operation op : log) {
                        if (store.insert(op)) {
                            fresh++;
                        }
                    }
                    return fresh;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get(2, TimeUnit.MINUTES);
            }
            assertThat(total).as("each operation is new exactly once").isEqualTo(log.size());
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.log(ALICE.publicKey(), LOG, 0, 1000)).containsExactlyElementsOf(log);
    }
}
