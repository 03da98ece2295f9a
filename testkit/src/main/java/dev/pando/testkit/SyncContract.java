package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.DeadlineExceededException;
import dev.pando.Hash;
import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.NetworkId;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.TopicId;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.NodeServices;
import dev.pando.spi.RawOperation;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.SyncMetrics;
import dev.pando.spi.SyncProtocol;
import dev.pando.spi.SyncSession;
import dev.pando.spi.TopicLogs;
import dev.pando.spi.Transport;
import dev.pando.testkit.support.MemoryNetwork;
import dev.pando.testkit.support.Operations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link SyncProtocol} must show, as the {@code dev.pando.spi} Javadoc states
 * it. Extend it and make your protocol in {@link #createProtocol}; every case then runs two peers
 * on a {@link MemoryNetwork}, each with its own store ({@link #createStore()}, by default the
 * "memory" store found with {@link StoreProviders}) and a {@link ValidatingIngestSink} (the
 * testkit's node-independent reference sink), the initiator on one stream and the acceptor on the
 * other end:
 *
 * <pre>{@code
 * class MySyncTest extends SyncContract {
 *     @Override
 *     protected SyncProtocol createProtocol(NodeServices services, Duration deadline) {
 *         return new MySyncProvider().create(new SyncContext(
 *                 ProviderOptions.of("timeout", deadline.toMillis() + "ms"), services));
 *     }
 *
 *     @Override
 *     protected byte[] malformedMessage() {
 *         return new byte[] {0, 0, 0, 1, (byte) 0xff};   // whatever your wire must refuse
 *     }
 * }
 * }</pre>
 *
 * A protocol that cannot pass a case lists it in {@link #knownLimitations()} with the measured
 * reason: the case is then reported as aborted (skipped), never silently.
 */
@Timeout(120)
public abstract class SyncContract {
    private static final TopicId TOPIC = TopicId.named("sync-contract/lobby");
    private static final LogId LOG = LogId.forTopic(TOPIC);
    private static final TopicId OTHER_TOPIC = TopicId.named("sync-contract/elsewhere");
    private static final LogId OTHER_LOG = LogId.forTopic(OTHER_TOPIC);
    /** The read deadline of every case but the stall: long, so a loaded machine never hits it. */
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    /** The read deadline of the stall case. */
    private static final Duration SHORT_DEADLINE = Duration.ofMillis(500);

    /** The cases of this contract, one per test, for {@link #knownLimitations()}; each is named after its test. */
    public enum SyncCase {
        AN_EMPTY_INITIATOR_GETS_EVERYTHING,
        AN_EMPTY_ACCEPTOR_GETS_EVERYTHING,
        PARTIAL_OVERLAP_ENDS_WITH_THE_UNION,
        MANY_AUTHORS_END_WITH_THE_UNION,
        OTHER_TOPICS_STAY_HOME,
        AN_EMPTY_TOPIC_SYNCS_NOTHING,
        A_REPEATED_SESSION_SENDS_NOTHING,
        A_STALLED_PEER_HITS_THE_DEADLINE,
        A_MALFORMED_MESSAGE_IS_A_PROTOCOL_VIOLATION,
        AN_INVALID_OPERATION_IS_A_PROTOCOL_VIOLATION_AND_NEVER_STORED
    }

    /**
     * A protocol whose every read and write on a session's stream gives up after {@code deadline}
     * without progress, with {@link DeadlineExceededException}. Called once per peer and case.
     */
    protected abstract SyncProtocol createProtocol(NodeServices services, Duration deadline);

    /**
     * Bytes that, arriving first on a session's stream (from an initiator, or as an acceptor's
     * answer), the protocol must refuse as malformed with {@link ProtocolViolationException}: for
     * a framed wire, a frame of the right length holding an undecodable message.
     */
    protected abstract byte[] malformedMessage();

    /**
     * A fresh, unopened store for one peer (the suite opens and closes it); by default the
     * "memory" store, which must then be on the test's module or class path.
     */
    protected Store createStore() {
        return StoreProviders.named("memory").orElseThrow(() -> new IllegalStateException(
                        "SyncContract needs a store: put the \"memory\" store provider on the test path or override createStore()"))
                .create(new StoreContext(ProviderOptions.empty()));
    }

    /** The topic→logs map both peers use; by default {@link TopicLogs#byTopicLogId()}. */
    protected TopicLogs topicLogs() {
        return TopicLogs.byTopicLogId();
    }

    /**
     * Cases this protocol cannot pass, each with the measured reason (e.g. "stalled in 2 of 20
     * runs"); such a case is aborted (reported as skipped) with the reason, never silently. Empty
     * by default: every case must pass.
     */
    protected Map<SyncCase, String> knownLimitations() {
        return Map.of();
    }

    private void limitation(SyncCase c) {
        KnownLimitations.abortIfListed(knownLimitations(), c);
    }

    @Test
    void knownLimitationsAreExplained() {
        KnownLimitations.assertExplained(knownLimitations());
    }

    // ---------------------------------------------------------------- fixture

    private final List<AutoCloseable> resources = new ArrayList<>();
    private MemoryNetwork network;
    private ExecutorService sessions;

    /** One node of a case: a transport, an open store, a validating sink and the protocol. */
    private final class Peer {
        final Transport transport;
        final Store store;
        final ValidatingIngestSink sink;
        final SyncProtocol protocol;
        final BlockingQueue<DuplexStream> accepted = new LinkedBlockingQueue<>();

        Peer(Duration deadline) {
            transport = network.transport(PrivateKey.generate(), NetworkId.DEFAULT);
            resources.add(transport::close);
            store = createStore();
            store.open();
            resources.add(store::close);
            sink = new ValidatingIngestSink(store);
            protocol = createProtocol(NodeServices.system(), deadline);
            transport.accept(protocol.protocolName(), this::acceptLoop);
            transport.start();
        }

        private void acceptLoop(Connection connection) {
            connection.acceptStream().thenAccept(stream -> {
                accepted.add(stream);
                acceptLoop(connection);
            });
        }

        SyncSession session(DuplexStream stream) {
            return new SyncSession(stream, store, topicLogs(), sink);
        }

        DuplexStream openStreamTo(Peer other) {
            return transport.dial(other.transport.localAddress(), protocol.protocolName())
                    .thenCompose(Connection::openStream).orTimeout(30, TimeUnit.SECONDS).join();
        }

        DuplexStream acceptedStream() {
            try {
                DuplexStream s = accepted.poll(30, TimeUnit.SECONDS);
                assertThat(s).as("a stream accepted within 30 s").isNotNull();
                return s;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        void insert(List<Operation> operations) {
            store.insertBatch(operations);
        }
    }

    private Peer peer(Duration deadline) {
        if (network == null) {
            network = MemoryNetwork.create();
            sessions = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "sync-contract-session");
                t.setDaemon(true);
                return t;
            });
        }
        return new Peer(deadline);
    }

    private Peer peer() {
        return peer(DEADLINE);
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        resources.clear();
        if (network != null) {
            network.close();
        }
        if (sessions != null) {
            sessions.shutdownNow();
        }
    }

    private record Sessions(CompletableFuture<SyncMetrics> initiator, CompletableFuture<SyncMetrics> acceptor) {
        SyncMetrics initiatorResult() {
            return initiator.orTimeout(60, TimeUnit.SECONDS).join();
        }

        SyncMetrics acceptorResult() {
            return acceptor.orTimeout(60, TimeUnit.SECONDS).join();
        }
    }

    /** One session: {@code initiator} opens a stream to {@code acceptor} for {@code topic}. */
    private Sessions sync(Peer initiator, Peer acceptor, TopicId topic) {
        DuplexStream initiatorEnd = initiator.openStreamTo(acceptor);
        CompletableFuture<SyncMetrics> i = CompletableFuture.supplyAsync(
                () -> initiator.protocol.initiate(topic, initiator.session(initiatorEnd)), sessions);
        DuplexStream acceptorEnd = acceptor.acceptedStream();
        CompletableFuture<SyncMetrics> a = CompletableFuture.supplyAsync(
                () -> acceptor.protocol.accept(acceptor.session(acceptorEnd)), sessions);
        return new Sessions(i, a);
    }

    /** The exception a session ended with (it must end within 30 s, and fail). */
    private static Throwable failure(CompletableFuture<SyncMetrics> session) {
        try {
            SyncMetrics m = session.get(30, TimeUnit.SECONDS);
            throw new AssertionError("the session succeeded: " + m);
        } catch (java.util.concurrent.ExecutionException | CompletionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("the session did not end within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits for a session to end whichever way; the cases that call it do not judge that side. */
    private static void awaitEnd(CompletableFuture<SyncMetrics> session) {
        try {
            session.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            // ended with an error: fine for this side
        } catch (TimeoutException e) {
            throw new AssertionError("the session did not end within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static Set<String> ids(Store store) {
        Set<String> ids = new TreeSet<>();
        for (LogKey log : store.logs()) {
            for (RawOperation r : store.rawLog(log.author(), log.logId(), 0, Integer.MAX_VALUE)) {
                ids.add(r.id().toString());
            }
        }
        return ids;
    }

    private static Set<String> ids(Store store, LogId logId) {
        Set<String> ids = new TreeSet<>();
        for (LogKey log : store.logs()) {
            if (log.logId().equals(logId)) {
                for (RawOperation r : store.rawLog(log.author(), log.logId(), 0, Integer.MAX_VALUE)) {
                    ids.add(r.id().toString());
                }
            }
        }
        return ids;
    }

    private static Set<String> ids(List<Operation> operations) {
        Set<String> ids = new TreeSet<>();
        operations.forEach(o -> ids.add(o.id().toString()));
        return ids;
    }

    /** Every operation in {@code store} decodes, validates and follows its predecessor. */
    private static void assertEverythingStoredIsValid(Store store) {
        for (LogKey log : store.logs()) {
            Operation previous = null;
            for (Operation op : store.log(log.author(), log.logId(), 0, Integer.MAX_VALUE)) {
                Operation decoded = Operation.decode(op.headerBytes(), op.body().map(b -> b.bytes()).orElse(null));
                decoded.validate();
                if (previous != null && previous.seqNum() + 1 == op.seqNum()) {
                    decoded.validateAfter(previous);
                }
                previous = op;
            }
        }
    }

    // ---------------------------------------------------------------- cases

    @Test
    void anEmptyInitiatorGetsEverything() {
        limitation(SyncCase.AN_EMPTY_INITIATOR_GETS_EVERYTHING);
        Peer a = peer();
        Peer b = peer();
        Operations.Logs logs = Operations.logs(3, 20, LOG);
        b.insert(logs.all());

        Sessions s = sync(a, b, TOPIC);
        SyncMetrics initiator = s.initiatorResult();
        SyncMetrics acceptor = s.acceptorResult();

        assertThat(ids(a.store)).isEqualTo(ids(b.store)).hasSize(60);
        assertThat(initiator.topic()).isEqualTo(TOPIC);
        assertThat(acceptor.topic()).isEqualTo(TOPIC);
        assertThat(initiator.operationsReceived()).isEqualTo(60);
        assertThat(initiator.operationsSent()).isZero();
        assertThat(acceptor.operationsSent()).isEqualTo(60);
        assertThat(acceptor.operationsReceived()).isZero();
        assertThat(initiator.bytesReceived()).isEqualTo(acceptor.bytesSent()).isPositive();
        assertThat(initiator.bytesSent()).isEqualTo(acceptor.bytesReceived()).isPositive();
        assertThat(initiator.forks()).isZero();
        assertThat(acceptor.forks()).isZero();
        assertEverythingStoredIsValid(a.store);
    }

    @Test
    void anEmptyAcceptorGetsEverything() {
        limitation(SyncCase.AN_EMPTY_ACCEPTOR_GETS_EVERYTHING);
        Peer a = peer();
        Peer b = peer();
        Operations.Logs logs = Operations.logs(3, 20, LOG);
        a.insert(logs.all());

        Sessions s = sync(a, b, TOPIC);
        SyncMetrics initiator = s.initiatorResult();
        SyncMetrics acceptor = s.acceptorResult();

        assertThat(ids(b.store)).isEqualTo(ids(a.store)).hasSize(60);
        assertThat(initiator.operationsSent()).isEqualTo(60);
        assertThat(initiator.operationsReceived()).isZero();
        assertThat(acceptor.operationsReceived()).isEqualTo(60);
        assertThat(acceptor.operationsSent()).isZero();
        assertThat(acceptor.bytesReceived()).isEqualTo(initiator.bytesSent()).isPositive();
        assertEverythingStoredIsValid(b.store);
    }

    @Test
    void partialOverlapEndsWithTheUnion() {
        limitation(SyncCase.PARTIAL_OVERLAP_ENDS_WITH_THE_UNION);
        Peer a = peer();
        Peer b = peer();
        List<Operation> l1 = Operations.chain(Operations.key(1), LOG, 15);
        List<Operation> l2 = Operations.chain(Operations.key(2), LOG, 5);
        List<Operation> l3 = Operations.chain(Operations.key(3), LOG, 8);
        a.insert(l1.subList(0, 10));   // b is ahead on l1
        a.insert(l2);                  // both hold l2
        a.insert(l3);                  // a is ahead on l3
        b.insert(l1);
        b.insert(l2);
        b.insert(l3.subList(0, 3));

        Sessions s = sync(a, b, TOPIC);
        SyncMetrics initiator = s.initiatorResult();
        SyncMetrics acceptor = s.acceptorResult();

        List<Operation> union = new ArrayList<>(l1);
        union.addAll(l2);
        union.addAll(l3);
        assertThat(ids(a.store)).isEqualTo(ids(b.store)).isEqualTo(ids(union));
        assertThat(initiator.operationsSent()).isEqualTo(5);      // l3 seq 3..7
        assertThat(initiator.operationsReceived()).isEqualTo(5);  // l1 seq 10..14
        assertThat(acceptor.operationsSent()).isEqualTo(5);
        assertThat(acceptor.operationsReceived()).isEqualTo(5);
        assertEverythingStoredIsValid(a.store);
        assertEverythingStoredIsValid(b.store);
    }

    @Test
    void manyAuthorsEndWithTheUnion() {
        limitation(SyncCase.MANY_AUTHORS_END_WITH_THE_UNION);
        Peer a = peer();
        Peer b = peer();
        Operations.Logs logs = Operations.logs(40, 6, LOG);
        List<Operation> expected = logs.all();
        for (int i = 0; i < logs.keys().size(); i++) {
            List<Operation> log = logs.of(logs.keys().get(i));
            switch (i % 4) {
                case 0 -> a.insert(log);                       // only a
                case 1 -> b.insert(log);                       // only b
                case 2 -> {                                    // both, a ahead
                    a.insert(log);
                    b.insert(log.subList(0, 2));
                }
                default -> {                                   // both, b ahead
                    a.insert(log.subList(0, 4));
                    b.insert(log);
                }
            }
        }

        Sessions s = sync(a, b, TOPIC);
        s.initiatorResult();
        s.acceptorResult();

        assertThat(ids(a.store)).isEqualTo(ids(b.store)).isEqualTo(ids(expected)).hasSize(240);
        assertThat(a.store.heights(LOG)).hasSize(40);
    }

    @Test
    void otherTopicsStayHome() {
        limitation(SyncCase.OTHER_TOPICS_STAY_HOME);
        Peer a = peer();
        Peer b = peer();
        List<Operation> shared = Operations.chain(Operations.key(1), LOG, 5);
        List<Operation> aPrivate = Operations.chain(Operations.key(2), OTHER_LOG, 4);
        List<Operation> bPrivate = Operations.chain(Operations.key(3), OTHER_LOG, 3);
        a.insert(shared);
        a.insert(aPrivate);
        b.insert(bPrivate);

        Sessions s = sync(a, b, TOPIC);
        s.initiatorResult();
        s.acceptorResult();

        assertThat(ids(b.store, LOG)).isEqualTo(ids(shared));
        assertThat(ids(b.store, OTHER_LOG)).isEqualTo(ids(bPrivate));
        assertThat(ids(a.store, OTHER_LOG)).isEqualTo(ids(aPrivate));
    }

    @Test
    void anEmptyTopicSyncsNothing() {
        limitation(SyncCase.AN_EMPTY_TOPIC_SYNCS_NOTHING);
        Peer a = peer();
        Peer b = peer();
        a.insert(Operations.chain(Operations.key(2), OTHER_LOG, 3));

        Sessions s = sync(a, b, TOPIC);
        SyncMetrics initiator = s.initiatorResult();
        SyncMetrics acceptor = s.acceptorResult();

        assertThat(initiator.operationsSent() + initiator.operationsReceived()).isZero();
        assertThat(acceptor.operationsSent() + acceptor.operationsReceived()).isZero();
        assertThat(b.store.logs()).isEmpty();
    }

    @Test
    void aRepeatedSessionSendsNothing() {
        limitation(SyncCase.A_REPEATED_SESSION_SENDS_NOTHING);
        Peer a = peer();
        Peer b = peer();
        a.insert(Operations.chain(Operations.key(1), LOG, 12));
        b.insert(Operations.chain(Operations.key(2), LOG, 7));
        Sessions first = sync(a, b, TOPIC);
        first.initiatorResult();
        first.acceptorResult();
        Set<String> before = ids(a.store);

        Sessions again = sync(a, b, TOPIC);
        SyncMetrics initiator = again.initiatorResult();
        SyncMetrics acceptor = again.acceptorResult();

        assertThat(initiator.operationsSent()).isZero();
        assertThat(initiator.operationsReceived()).isZero();
        assertThat(acceptor.operationsSent()).isZero();
        assertThat(acceptor.operationsReceived()).isZero();
        assertThat(ids(a.store)).isEqualTo(ids(b.store)).isEqualTo(before).hasSize(19);
        // and the other way round
        Sessions reversed = sync(b, a, TOPIC);
        assertThat(reversed.initiatorResult().operationsSent()).isZero();
        assertThat(reversed.acceptorResult().operationsSent()).isZero();
    }

    @Test
    void aStalledPeerHitsTheDeadline() {
        limitation(SyncCase.A_STALLED_PEER_HITS_THE_DEADLINE);
        Peer a = peer(SHORT_DEADLINE);
        Peer b = peer(SHORT_DEADLINE);
        b.insert(Operations.chain(Operations.key(1), LOG, 3));

        // an acceptor whose initiator opens a stream and says nothing, without closing it
        DuplexStream silentInitiator = a.openStreamTo(b);
        DuplexStream acceptorEnd = b.acceptedStream();
        CompletableFuture<SyncMetrics> acceptor = CompletableFuture.supplyAsync(
                () -> b.protocol.accept(b.session(acceptorEnd)), sessions);
        assertThat(failure(acceptor)).isInstanceOf(DeadlineExceededException.class);

        // an initiator whose acceptor takes the stream and never answers
        DuplexStream initiatorEnd = a.openStreamTo(b);
        DuplexStream silentAcceptor = b.acceptedStream();
        CompletableFuture<SyncMetrics> initiator = CompletableFuture.supplyAsync(
                () -> a.protocol.initiate(TOPIC, a.session(initiatorEnd)), sessions);
        assertThat(failure(initiator)).isInstanceOf(DeadlineExceededException.class);
        assertThat(a.store.logs()).isEmpty();
        silentInitiator.abort();
        silentAcceptor.abort();
    }

    @Test
    void aMalformedMessageIsAProtocolViolation() {
        limitation(SyncCase.A_MALFORMED_MESSAGE_IS_A_PROTOCOL_VIOLATION);
        Peer a = peer();
        Peer b = peer();
        a.insert(Operations.chain(Operations.key(1), LOG, 3));
        b.insert(Operations.chain(Operations.key(2), LOG, 4));
        Set<String> aBefore = ids(a.store);
        Set<String> bBefore = ids(b.store);

        // to an acceptor, as the first thing an initiator sends
        DuplexStream hostileInitiator = a.openStreamTo(b);
        DuplexStream acceptorEnd = b.acceptedStream();
        CompletableFuture<SyncMetrics> acceptor = CompletableFuture.supplyAsync(
                () -> b.protocol.accept(b.session(acceptorEnd)), sessions);
        hostileInitiator.write(malformedMessage());
        hostileInitiator.flush();
        hostileInitiator.closeOutput();
        assertThat(failure(acceptor)).isInstanceOf(ProtocolViolationException.class);

        // to an initiator, as the acceptor's answer
        DuplexStream initiatorEnd = a.openStreamTo(b);
        DuplexStream hostileAcceptor = b.acceptedStream();
        CompletableFuture<SyncMetrics> initiator = CompletableFuture.supplyAsync(
                () -> a.protocol.initiate(TOPIC, a.session(initiatorEnd)), sessions);
        hostileAcceptor.write(malformedMessage());
        hostileAcceptor.flush();
        hostileAcceptor.closeOutput();
        assertThat(failure(initiator)).isInstanceOf(ProtocolViolationException.class);

        assertThat(ids(a.store)).isEqualTo(aBefore);
        assertThat(ids(b.store)).isEqualTo(bBefore);
        hostileInitiator.abort();
        hostileAcceptor.abort();
    }

    @Test
    void anInvalidOperationIsAProtocolViolationAndNeverStored() {
        limitation(SyncCase.AN_INVALID_OPERATION_IS_A_PROTOCOL_VIOLATION_AND_NEVER_STORED);
        for (boolean fromAcceptor : new boolean[] {false, true}) {
            Peer a = peer();
            Peer b = peer();
            Peer corrupt = fromAcceptor ? b : a;
            Peer honest = fromAcceptor ? a : b;
            // the corrupt peer's store holds a log whose seq 3 carries a broken signature (a store
            // does not validate; a sync protocol must not trust it either)
            List<Operation> log = Operations.chain(Operations.key(1), LOG, 6);
            byte[] bad = log.get(3).headerBytes().clone();
            bad[40] ^= 1;   // inside the signature (after the version and the 32-byte key)
            Operation forged = Operation.decode(bad, log.get(3).body().map(x -> x.bytes()).orElse(null));
            corrupt.insert(log.subList(0, 3));
            corrupt.insert(List.of(forged));
            corrupt.insert(log.subList(4, 6));

            Sessions s = sync(a, b, TOPIC);
            CompletableFuture<SyncMetrics> honestSession = fromAcceptor ? s.initiator() : s.acceptor();
            CompletableFuture<SyncMetrics> corruptSession = fromAcceptor ? s.acceptor() : s.initiator();
            assertThat(failure(honestSession)).as("the receiving side, from the %s", fromAcceptor ? "acceptor" : "initiator")
                    .isInstanceOf(ProtocolViolationException.class);
            awaitEnd(corruptSession);

            Hash forgedId = forged.id();
            assertThat(honest.store.has(forgedId)).isFalse();
            assertThat(ids(honest.store)).doesNotContain(forgedId.toString()).isSubsetOf(ids(log.subList(0, 3)));
            assertEverythingStoredIsValid(honest.store);
        }
    }
}
