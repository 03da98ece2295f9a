package dev.pando.sync.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.ProtocolViolationException;
import dev.pando.TopicId;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.SyncMetrics;
import dev.pando.spi.TopicLogs;
import dev.pando.testkit.support.Operations;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * B runs the protocol as acceptor; the test plays A, a peer that breaks the protocol. Every case
 * must end B's session with a typed error and leave nothing invalid in B's store.
 */
@Timeout(60)
class HostilePeerTest {
    static final TopicId TOPIC = LogSyncTest.TOPIC;
    static final LogId LOG = LogSyncTest.LOG;

    private final SyncPair pair = new SyncPair(ProviderOptions.of("timeout", "300ms", "max_frame_bytes", "65536"));

    @AfterEach
    void close() {
        pair.close();
    }

    /** Opens a session to B, sends A's Have (empty), returns A's raw end and B's session. */
    private Hostile start(Map<LogKey, Long> heights) {
        DuplexStream raw = pair.openStreamFromA();
        frame(raw, SyncMessage.encode(new SyncMessage.Have(SyncMessage.VERSION, TOPIC, heights)));
        DuplexStream acceptorEnd = pair.acceptedStream();
        CompletableFuture<SyncMetrics> b = CompletableFuture.supplyAsync(() -> pair.b.protocol.accept(pair.b.session(acceptorEnd)));
        return new Hostile(raw, b);
    }

    private record Hostile(DuplexStream raw, CompletableFuture<SyncMetrics> acceptor) {
        Throwable failure() {
            try {
                acceptor.orTimeout(30, TimeUnit.SECONDS).join();
            } catch (CompletionException e) {
                return e.getCause();
            }
            throw new AssertionError("the acceptor's session succeeded");
        }
    }

    static void frame(DuplexStream s, byte[] payload) {
        s.write(new byte[] {(byte) (payload.length >>> 24), (byte) (payload.length >>> 16),
                (byte) (payload.length >>> 8), (byte) payload.length});
        s.write(payload);
        s.flush();
    }

    static byte[] op(Operation o) {
        return SyncMessage.encode(new SyncMessage.Operation(o.headerBytes(), o.body().map(b -> b.bytes())));
    }

    @Test
    void malformedFrame() {
        Hostile h = start(Map.of());
        frame(h.raw(), new byte[] {(byte) 0x83, 0x01, 0x01});   // array of 3 with 2 elements
        assertThat(h.failure()).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("malformed");
    }

    @Test
    void oversizedLength() {
        Hostile h = start(Map.of());
        h.raw().write(new byte[] {0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        h.raw().flush();
        assertThat(h.failure()).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("frame length");
    }

    @Test
    void zeroLengthFrame() {
        Hostile h = start(Map.of());
        h.raw().write(new byte[4]);
        h.raw().flush();
        assertThat(h.failure()).isInstanceOf(ProtocolViolationException.class);
    }

    @Test
    void unknownVersion() {
        DuplexStream raw = pair.openStreamFromA();
        frame(raw, SyncMessage.encode(new SyncMessage.Have(SyncMessage.VERSION + 1, TOPIC, Map.of())));
        DuplexStream acceptorEnd = pair.acceptedStream();
        assertThatThrownBy(() -> pair.b.protocol.accept(pair.b.session(acceptorEnd)))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("version " + (SyncMessage.VERSION + 1));
    }

    @Test
    void badSignatureStopsTheSessionAndOnlyTheValidPrefixIsStored() {
        List<Operation> log = Operations.chain(Operations.key(1), LOG, 5);
        byte[] bad = log.get(3).headerBytes().clone();
        bad[40] ^= 1;   // inside the signature (after version and 32-byte key)
        Hostile h = start(Map.of());
        frame(h.raw(), SyncMessage.encode(new SyncMessage.PreSync(5, 1 << 20)));
        for (int i = 0; i < 3; i++) {
            frame(h.raw(), op(log.get(i)));
        }
        frame(h.raw(), SyncMessage.encode(new SyncMessage.Operation(bad, log.get(3).body().map(b -> b.bytes()))));
        frame(h.raw(), op(log.get(4)));
        frame(h.raw(), SyncMessage.encode(new SyncMessage.Done()));
        h.raw().closeOutput();

        assertThat(h.failure()).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("invalid operation");
        assertThat(pair.b.store.rawLog(Operations.key(1).publicKey(), LOG, 0, 10)).extracting(r -> r.seqNum())
                .containsExactly(0L, 1L, 2L);
    }

    @Test
    void operationOfAnotherTopicsLog() {
        List<Operation> foreign = Operations.chain(Operations.key(1), LogId.forTopic(TopicId.named("elsewhere")), 2);
        Hostile h = start(Map.of());
        frame(h.raw(), SyncMessage.encode(new SyncMessage.PreSync(2, 1 << 20)));
        frame(h.raw(), op(foreign.get(0)));
        assertThat(h.failure()).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("not a log of topic");
        assertThat(pair.b.store.logs()).isEmpty();
    }

    @Test
    void moreOperationsThanAnnounced() {
        List<Operation> log = Operations.chain(Operations.key(1), LOG, 3);
        Hostile h = start(Map.of());
        frame(h.raw(), SyncMessage.encode(new SyncMessage.PreSync(1, 1 << 20)));
        frame(h.raw(), op(log.get(0)));
        frame(h.raw(), op(log.get(1)));
        assertThat(h.failure()).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("announced");
    }

    @Test
    void operationsOutOfOrder() {
        List<Operation> log = Operations.chain(Operations.key(1), LOG, 3);
        Hostile h = start(Map.of());
        frame(h.raw(), SyncMessage.encode(new SyncMessage.PreSync(3, 1 << 20)));
        frame(h.raw(), op(log.get(1)));
        frame(h.raw(), op(log.get(0)));
        assertThat(h.failure()).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("out of order");
    }

    @Test
    void operationsTheAcceptorAnnouncedItHas() {
        List<Operation> log = Operations.chain(Operations.key(1), LOG, 3);
        pair.b.insert(log);
        Hostile h = start(Map.of());
        frame(h.raw(), SyncMessage.encode(new SyncMessage.PreSync(1, 1 << 20)));
        frame(h.raw(), op(log.get(1)));
        assertThat(h.failure()).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("announced it holds");
    }

    @Test
    void aPeerThatStallsMidSessionHitsTheDeadline() {
        List<Operation> log = Operations.chain(Operations.key(1), LOG, 5);
        Hostile h = start(Map.of());
        frame(h.raw(), SyncMessage.encode(new SyncMessage.PreSync(5, 1 << 20)));
        frame(h.raw(), op(log.get(0)));
        frame(h.raw(), op(log.get(1)));
        // … and nothing more, without closing
        assertThat(h.failure()).isInstanceOf(DeadlineExceededException.class);
        // what arrived intact before the stall is kept, validated
        assertThat(pair.b.store.rawLog(Operations.key(1).publicKey(), LOG, 0, 10)).hasSize(2);
    }

    @Test
    void aPeerThatHangsUpMidSession() {
        List<Operation> log = Operations.chain(Operations.key(1), LOG, 5);
        Hostile h = start(Map.of());
        frame(h.raw(), SyncMessage.encode(new SyncMessage.PreSync(5, 1 << 20)));
        frame(h.raw(), op(log.get(0)));
        h.raw().write(new byte[] {0, 0, 1, 0, 1, 2});   // a frame cut short
        h.raw().closeOutput();
        assertThat(h.failure()).isInstanceOf(ConnectionClosedException.class);
        assertThat(pair.b.store.rawLog(Operations.key(1).publicKey(), LOG, 0, 10)).hasSize(1);
    }

    @Test
    void somethingElseThanStoredAfterDone() {
        Hostile h = start(Map.of());
        frame(h.raw(), SyncMessage.encode(new SyncMessage.PreSync(0, 0)));
        frame(h.raw(), SyncMessage.encode(new SyncMessage.Done()));
        frame(h.raw(), SyncMessage.encode(new SyncMessage.Done()));
        h.raw().closeOutput();
        assertThat(h.failure()).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("expected Stored");
    }

    @Test
    void aPeerThatClaimsToHaveStoredWhatItWasNotSent() {
        Hostile h = start(Map.of());
        frame(h.raw(), SyncMessage.encode(new SyncMessage.PreSync(0, 0)));
        frame(h.raw(), SyncMessage.encode(new SyncMessage.Done()));
        frame(h.raw(), SyncMessage.encode(new SyncMessage.Stored(7)));
        h.raw().closeOutput();
        assertThat(h.failure()).isInstanceOf(ProtocolViolationException.class).hasMessageContaining("received 7");
    }

    @Test
    void anAcceptorThatDoesNotServeTheTopicRefusesIt() {
        pair.b.topicLogs = TopicLogs.byTopicLogId(t -> false);
        SyncPair.Sessions s = pair.sync(TOPIC);
        assertThatThrownBy(s::initiatorResult).hasCauseInstanceOf(ProtocolViolationException.class)
                .hasMessageContaining("does not serve");
        assertThatThrownBy(s::acceptorResult).hasCauseInstanceOf(ProtocolViolationException.class);
    }

    @Test
    void hostileAcceptorSendingGarbageToAnInitiator() {
        pair.b.insert(Operations.chain(Operations.key(2), LOG, 3));
        DuplexStream initiatorEnd = pair.openStreamFromA();
        CompletableFuture<SyncMetrics> a = CompletableFuture.supplyAsync(
                () -> pair.a.protocol.initiate(TOPIC, pair.a.session(initiatorEnd)));
        DuplexStream raw = pair.acceptedStream();
        byte[] len = new byte[4];
        raw.readFully(len, 0, 4);   // A's Have arrives first
        frame(raw, new byte[] {(byte) 0xff});
        assertThatThrownBy(() -> a.orTimeout(30, TimeUnit.SECONDS).join())
                .hasCauseInstanceOf(ProtocolViolationException.class);
        assertThat(pair.a.store.logs()).isEmpty();
    }
}
