package dev.pando.sync.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import dev.pando.TopicId;
import dev.pando.spi.RawOperation;
import dev.pando.spi.Store;
import dev.pando.spi.SyncMetrics;
import dev.pando.testkit.support.Operations;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class LogSyncTest {
    static final TopicId TOPIC = TopicId.named("sync-test/lobby");
    static final LogId LOG = LogId.forTopic(TOPIC);

    private final SyncPair pair = new SyncPair();

    @AfterEach
    void close() {
        pair.close();
    }

    @Test
    void emptyInitiatorGetsEverythingFromTheAcceptor() {
        Operations.Logs logs = Operations.logs(3, 20, LOG);
        pair.b.insert(logs.all());

        SyncPair.Sessions s = pair.sync(TOPIC);
        SyncMetrics initiator = s.initiatorResult();
        SyncMetrics acceptor = s.acceptorResult();

        assertThat(ids(pair.a.store)).isEqualTo(ids(pair.b.store)).hasSize(60);
        assertThat(initiator.operationsReceived()).isEqualTo(60);
        assertThat(initiator.operationsSent()).isZero();
        assertThat(acceptor.operationsSent()).isEqualTo(60);
        assertThat(acceptor.topic()).isEqualTo(TOPIC);
        assertThat(initiator.bytesReceived()).isEqualTo(acceptor.bytesSent()).isPositive();
        assertThat(initiator.bytesSent()).isEqualTo(acceptor.bytesReceived()).isPositive();
        assertThat(initiator.forks()).isZero();
    }

    @Test
    void fullInitiatorSendsEverythingToAnEmptyAcceptor() {
        Operations.Logs logs = Operations.logs(3, 20, LOG);
        pair.a.insert(logs.all());

        SyncPair.Sessions s = pair.sync(TOPIC);
        assertThat(s.initiatorResult().operationsSent()).isEqualTo(60);
        assertThat(s.acceptorResult().operationsReceived()).isEqualTo(60);
        assertThat(ids(pair.b.store)).isEqualTo(ids(pair.a.store)).hasSize(60);
    }

    @Test
    void partialOverlapEndsWithTheUnionOnBothSides() {
        PrivateKey k1 = Operations.key(1);
        PrivateKey k2 = Operations.key(2);
        PrivateKey k3 = Operations.key(3);
        List<Operation> l1 = Operations.chain(k1, LOG, 15);
        List<Operation> l2 = Operations.chain(k2, LOG, 5);
        List<Operation> l3 = Operations.chain(k3, LOG, 8);
        pair.a.insert(l1.subList(0, 10));
        pair.a.insert(l2);
        pair.b.insert(l1);
        pair.b.insert(l2);
        pair.b.insert(l3.subList(0, 3));
        pair.a.insert(l3);

        SyncPair.Sessions s = pair.sync(TOPIC);
        SyncMetrics initiator = s.initiatorResult();
        SyncMetrics acceptor = s.acceptorResult();

        assertThat(ids(pair.a.store)).isEqualTo(ids(pair.b.store)).hasSize(15 + 5 + 8);
        // only what the other lacked travels
        assertThat(initiator.operationsReceived()).isEqualTo(5);
        assertThat(initiator.operationsSent()).isEqualTo(5);
        assertThat(acceptor.operationsReceived()).isEqualTo(5);
    }

    @Test
    void manyAuthorsBothWays() {
        Operations.Logs logs = Operations.logs(40, 10, LOG, 32);
        for (int i = 0; i < logs.keys().size(); i++) {
            (i % 2 == 0 ? pair.a : pair.b).insert(logs.of(logs.keys().get(i)));
        }
        SyncPair.Sessions s = pair.sync(TOPIC);
        assertThat(s.initiatorResult().operationsSent()).isEqualTo(200);
        assertThat(s.acceptorResult().operationsSent()).isEqualTo(200);
        assertThat(ids(pair.a.store)).isEqualTo(ids(pair.b.store)).hasSize(400);
    }

    @Test
    void largeBodiesTravelIntact() {
        List<Operation> big = Operations.chain(Operations.key(7), LOG, 6, 1024 * 1024);
        pair.b.insert(big);
        SyncPair.Sessions s = pair.sync(TOPIC);
        s.acceptorResult();
        assertThat(s.initiatorResult().operationsReceived()).isEqualTo(6);
        List<RawOperation> got = pair.a.store.rawLog(Operations.key(7).publicKey(), LOG, 0, 100);
        assertThat(got).hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(got.get(i).body().orElseThrow()).isEqualTo(big.get(i).body().orElseThrow().bytes());
        }
    }

    @Test
    void bodiesDeletedAtTheSourceTravelAsHeadersOnly() {
        List<Operation> log = Operations.chain(Operations.key(8), LOG, 4);
        pair.b.insert(log);
        pair.b.store.deletePayloads(Operations.key(8).publicKey(), LOG, 0, 1);
        SyncPair.Sessions s = pair.sync(TOPIC);
        s.acceptorResult();
        assertThat(s.initiatorResult().operationsReceived()).isEqualTo(4);
        List<RawOperation> got = pair.a.store.rawLog(Operations.key(8).publicKey(), LOG, 0, 10);
        assertThat(got).extracting(r -> r.body().isPresent()).containsExactly(false, false, true, true);
    }

    @Test
    void logsOfOtherTopicsStayHome() {
        TopicId other = TopicId.named("sync-test/other");
        pair.b.insert(Operations.chain(Operations.key(1), LogId.forTopic(other), 5));
        pair.b.insert(Operations.chain(Operations.key(1), LOG, 3));
        SyncPair.Sessions s = pair.sync(TOPIC);
        s.acceptorResult();
        assertThat(s.initiatorResult().operationsReceived()).isEqualTo(3);
        assertThat(pair.a.store.logs()).containsExactly(new LogKey(Operations.key(1).publicKey(), LOG));
    }

    @Test
    void anEmptyTopicEndsAtOnce() {
        SyncPair.Sessions s = pair.sync(TOPIC);
        assertThat(s.initiatorResult().operationsReceived()).isZero();
        assertThat(s.acceptorResult().operationsReceived()).isZero();
    }

    @Test
    void aSecondSessionSendsNothing() {
        pair.a.insert(Operations.logs(2, 10, LOG).all());
        SyncPair.Sessions first = pair.sync(TOPIC);
        first.initiatorResult();
        first.acceptorResult();   // the acceptor ingests its last batch after the initiator is done
        SyncPair.Sessions again = pair.sync(TOPIC);
        assertThat(again.initiatorResult().operationsSent()).isZero();
        assertThat(again.acceptorResult().operationsSent()).isZero();
    }

    @Test
    void progressIsReported() {
        pair.b.insert(Operations.logs(2, 300, LOG, 16).all());
        List<dev.pando.spi.SyncProgress> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        var stream = pair.openStreamFromA();
        var initiator = java.util.concurrent.CompletableFuture.supplyAsync(() -> pair.a.protocol.initiate(TOPIC,
                new dev.pando.spi.SyncSession(stream, pair.a.store, pair.a.topicLogs, pair.a.ingest.sink(), seen::add)));
        var acceptorEnd = pair.acceptedStream();
        pair.b.protocol.accept(pair.b.session(acceptorEnd));
        initiator.join();
        assertThat(seen).isNotEmpty();
        assertThat(seen.get(seen.size() - 1).operationsReceived()).isEqualTo(600);
        assertThat(seen).extracting(dev.pando.spi.SyncProgress::operationsExpected).contains(600L);
    }

    @Test
    void theReceiverHandsOverTheNextBatchBeforeTheLastIsStored() {
        pair.b.insert(Operations.logs(2, 1500, LOG).all()); // three batches of 1,000
        dev.pando.spi.IngestSink inner = pair.a.ingest.sink();
        java.util.concurrent.CompletableFuture<Void> secondHandedOver = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        dev.pando.spi.IngestSink gated = new dev.pando.spi.IngestSink() {
            @Override
            public List<dev.pando.spi.IngestVerdict> ingest(List<dev.pando.spi.IncomingOperation> operations) {
                return inner.ingest(operations);
            }

            @Override
            public java.util.concurrent.CompletableFuture<List<dev.pando.spi.IngestVerdict>> ingestAsync(
                    List<dev.pando.spi.IncomingOperation> operations) {
                int call = calls.incrementAndGet();
                if (call == 2) {
                    secondHandedOver.complete(null);
                }
                var verdicts = inner.ingestAsync(operations);
                // the first batch is not done before the second is handed over: a receiver that
                // waits for each batch before it reads the next never gets that far
                return call == 1 ? verdicts.thenCombine(secondHandedOver, (v, ignored) -> v) : verdicts;
            }
        };
        var stream = pair.openStreamFromA();
        var initiator = java.util.concurrent.CompletableFuture.supplyAsync(() -> pair.a.protocol.initiate(TOPIC,
                new dev.pando.spi.SyncSession(stream, pair.a.store, pair.a.topicLogs, gated, p -> { })));
        pair.b.protocol.accept(pair.b.session(pair.acceptedStream()));
        SyncMetrics received = initiator.orTimeout(60, java.util.concurrent.TimeUnit.SECONDS).join();
        assertThat(calls.get()).isGreaterThanOrEqualTo(2);
        assertThat(received.operationsReceived()).isEqualTo(3000);
        assertThat(ids(pair.a.store)).isEqualTo(ids(pair.b.store));
    }

    static List<String> ids(Store store) {
        return store.logs().stream()
                .flatMap(log -> store.rawLog(log.author(), log.logId(), 0, Integer.MAX_VALUE).stream())
                .map(r -> r.id().toString())
                .sorted()
                .collect(Collectors.toList());
    }
}
