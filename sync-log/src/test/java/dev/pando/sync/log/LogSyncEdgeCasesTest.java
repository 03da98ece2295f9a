package dev.pando.sync.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import dev.pando.TopicId;
import dev.pando.spi.SyncMetrics;
import dev.pando.testkit.support.Operations;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pruned logs and forks between two peers (the node's ingest pipeline as sink). */
@Timeout(120)
class LogSyncEdgeCasesTest {
    static final TopicId TOPIC = LogSyncTest.TOPIC;
    static final LogId LOG = LogSyncTest.LOG;

    private final SyncPair pair = new SyncPair();
    private final PrivateKey alice = Operations.key(1);

    @AfterEach
    void close() {
        pair.close();
    }

    private List<Long> seqs(SyncPair.Peer peer) {
        return peer.store.rawLog(alice.publicKey(), LOG, 0, 1000).stream().map(r -> r.seqNum()).toList();
    }

    /** Seq 0..4, then a prune operation at seq 5, then seq 6 and 7. */
    private List<Operation> logWithPrunePointAt5() {
        List<Operation> log = new ArrayList<>(Operations.chain(alice, LOG, 5));
        log.add(Operation.builder(alice).after(log.get(4)).prune(true).body(Operations.body(5, 64)).build());
        log.addAll(Operations.continueChain(alice, log.get(5), 2, 64));
        return log;
    }

    @Test
    void aPrunedLogTravelsFromItsPrunePointToAnEmptyPeer() {
        List<Operation> log = logWithPrunePointAt5();
        pair.b.insert(log);
        pair.b.store.prune(alice.publicKey(), LOG, 5);           // b holds 5 (prune flag), 6, 7
        assertThat(seqs(pair.b)).containsExactly(5L, 6L, 7L);

        SyncPair.Sessions s = pair.sync(TOPIC);
        assertThat(s.initiatorResult().operationsReceived()).isEqualTo(3);
        assertThat(s.acceptorResult().operationsSent()).isEqualTo(3);
        // the prune operation may start a log: the receiver stores the pruned log as it is
        assertThat(seqs(pair.a)).containsExactly(5L, 6L, 7L);
    }

    @Test
    void aPeerBehindThePrunePointIsPrunedToo() {
        List<Operation> log = logWithPrunePointAt5();
        pair.a.insert(log.subList(0, 3));                        // a holds 0..2, from before the prune
        pair.b.insert(log);
        pair.b.store.prune(alice.publicKey(), LOG, 5);

        SyncPair.Sessions s = pair.sync(TOPIC);
        assertThat(s.initiatorResult().operationsReceived()).isEqualTo(3);   // 5, 6, 7: 3 and 4 are gone at b
        s.acceptorResult();
        // ingest accepts the prune operation above a's height and deletes everything before it
        assertThat(seqs(pair.a)).containsExactly(5L, 6L, 7L);
    }

    @Test
    void aPrunedPeerLearnsNothingOlderFromAnUnprunedOne() {
        List<Operation> log = logWithPrunePointAt5();
        pair.a.insert(log);                                      // a holds the whole log 0..7
        pair.b.insert(log);
        pair.b.store.prune(alice.publicKey(), LOG, 5);           // b holds 5..7: same height

        SyncPair.Sessions s = pair.sync(TOPIC);
        assertThat(s.initiatorResult().operationsSent()).isZero();   // heights are equal: nothing travels
        assertThat(s.acceptorResult().operationsSent()).isZero();
        assertThat(seqs(pair.b)).containsExactly(5L, 6L, 7L);
    }

    @Test
    void aForkAtTheSameHeightIsNeitherExchangedNorDetected() {
        List<Operation> log = Operations.chain(alice, LOG, 4);
        Operation fork = Operations.fork(alice, log.get(3));
        pair.a.insert(log);                                      // a: 0..3
        pair.b.insert(log.subList(0, 3));
        pair.b.insert(List.of(fork));                            // b: 0..2, then another seq 3

        SyncPair.Sessions s = pair.sync(TOPIC);
        SyncMetrics initiator = s.initiatorResult();
        SyncMetrics acceptor = s.acceptorResult();

        // both announce height 3: log-sync compares heights only, so neither sends anything
        assertThat(initiator.operationsSent() + acceptor.operationsSent()).isZero();
        assertThat(initiator.forks() + acceptor.forks()).isZero();
        assertThat(pair.a.store.has(log.get(3).id())).isTrue();
        assertThat(pair.b.store.has(fork.id())).isTrue();
        assertThat(pair.a.store.has(fork.id())).isFalse();
        assertThat(pair.b.store.has(log.get(3).id())).isFalse();
    }

    @Test
    void aForkBelowThePeersHeightIsCountedAsAForkAndNotStored() {
        List<Operation> log = Operations.chain(alice, LOG, 6);
        Operation fork = Operations.fork(alice, log.get(3));
        pair.a.insert(log.subList(0, 3));
        pair.a.insert(List.of(fork));                            // a: 0..2, another seq 3 (height 3)
        pair.b.insert(log);                                      // b: 0..5

        SyncPair.Sessions s = pair.sync(TOPIC);
        // b sends seq 4 and 5; a's ingest finds seq 4's backlink is not a's seq 3: alice forked
        // her log. Seq 4 is validly signed, so b is not at fault: a counts a fork and goes on
        SyncMetrics initiator = s.initiatorResult();
        SyncMetrics acceptor = s.acceptorResult();
        assertThat(initiator.forks()).isEqualTo(1);
        assertThat(acceptor.forks()).isZero();
        assertThat(initiator.operationsReceived()).isEqualTo(2);
        // nothing of the other branch is stored on either side
        assertThat(seqs(pair.a)).containsExactly(0L, 1L, 2L, 3L);
        assertThat(pair.a.store.has(fork.id())).isTrue();
        assertThat(pair.a.store.has(log.get(4).id())).isFalse();
        assertThat(seqs(pair.b)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(pair.b.store.has(fork.id())).isFalse();
    }
}
