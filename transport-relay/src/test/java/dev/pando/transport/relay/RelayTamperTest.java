package dev.pando.transport.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.PublicKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A hostile relay (it flips, drops, duplicates and replays packets) never makes a node accept
 * altered or repeated data: QUIC authenticates every packet end to end, so tampering is loss, and
 * loss ends in a typed failure.
 */
@Timeout(120)
class RelayTamperTest {
    private static final String[] FAST = {"handshake_timeout", "2s", "stream_timeout", "2s", "idle_timeout", "3s", "keep_alive", "1s"};
    private final TestRelay relay = new TestRelay();
    private final RelayNodes nodes = new RelayNodes();

    @AfterEach
    void tearDown() {
        nodes.close();
        relay.close();
    }

    private static ByteBuf flipped(ByteBuf payload) {
        int at = payload.readerIndex() + 1 + (payload.readableBytes() - 1) / 2;
        payload.setByte(at, payload.getByte(at) ^ 0x40);
        return payload;
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException ? t.getCause() : t;
    }

    @Test
    void aRelayThatFlipsBitsPreventsTheConnection() {
        relay.tamper = (source, destination, payload, out) -> out.deliver(source, destination, flipped(payload));
        RelayNodes.Node a = nodes.start(relay.url(), FAST);
        RelayNodes.Node b = nodes.start(relay.url(), FAST);

        Throwable t = cause(catchThrowable(() -> a.transport.dial(b.transport.localAddress(), RelayNodes.RECORD).join()));
        assertThat(t).isInstanceOfAny(DeadlineExceededException.class, ConnectionClosedException.class);
        assertThat(b.handlerCalls).hasValue(0);
        assertThat(relay.server.metrics().packetsForwarded()).isPositive();
    }

    @Test
    void bytesFlippedAfterTheHandshakeAreNeverAcceptedAndTheConnectionFails() {
        RelayNodes.Node a = nodes.start(relay.url(), FAST);
        RelayNodes.Node b = nodes.start(relay.url(), FAST);
        PublicKey aId = a.transport.localAddress().nodeId();
        Connection c = a.transport.dial(b.transport.localAddress(), RelayNodes.RECORD).join();
        DuplexStream s = c.openStream().join();
        assertThat(RelayNodes.roundTrip(s, "hello".getBytes(StandardCharsets.UTF_8))).asString(StandardCharsets.UTF_8).isEqualTo("hello");

        relay.tamper = (source, destination, payload, out) ->
                out.deliver(source, destination, source.equals(aId) ? flipped(payload) : payload);
        Throwable t = catchThrowable(() -> RelayNodes.roundTrip(s, "secret".getBytes(StandardCharsets.UTF_8)));
        assertThat(t).isInstanceOfAny(DeadlineExceededException.class, ConnectionClosedException.class);
        // the connection dies of it (idle timeout: nothing authentic arrives), typed
        await().atMost(Duration.ofSeconds(30)).until(() -> c.closed().toCompletableFuture().isDone());
        assertThat(b.acceptedBytes()).asString(StandardCharsets.UTF_8).isEqualTo("hello");
        assertThatThrownBy(() -> c.openStream().join()).hasCauseInstanceOf(ConnectionClosedException.class);
    }

    @Test
    void aRelayThatDropsEverythingFailsTheStreamTyped() {
        RelayNodes.Node a = nodes.start(relay.url(), FAST);
        RelayNodes.Node b = nodes.start(relay.url(), FAST);
        Connection c = a.transport.dial(b.transport.localAddress(), RelayNodes.RECORD).join();
        DuplexStream s = c.openStream().join();
        assertThat(RelayNodes.roundTrip(s, new byte[] {1})).containsExactly(1);

        relay.tamper = (source, destination, payload, out) -> payload.release();
        assertThat(catchThrowable(() -> RelayNodes.roundTrip(s, new byte[] {2})))
                .isInstanceOfAny(DeadlineExceededException.class, ConnectionClosedException.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> c.closed().toCompletableFuture().isDone());
        assertThat(b.acceptedBytes()).containsExactly(1);
    }

    @Test
    void duplicatedPacketsDeliverTheDataExactlyOnce() {
        relay.tamper = (source, destination, payload, out) -> {
            out.deliver(source, destination, payload.retainedDuplicate());
            out.deliver(source, destination, payload);
        };
        RelayNodes.Node a = nodes.start(relay.url(), FAST);
        RelayNodes.Node b = nodes.start(relay.url(), FAST);
        byte[] data = new byte[200_000];
        new Random(8).nextBytes(data);
        DuplexStream s = a.transport.dial(b.transport.localAddress(), RelayNodes.RECORD).join().openStream().join();
        s.timeout(Duration.ofSeconds(20));

        assertThat(RelayNodes.roundTrip(s, data)).isEqualTo(data);
        assertThat(b.acceptedBytes()).isEqualTo(data);
        assertThat(b.handlerCalls).hasValue(1);
    }

    @Test
    void replayedPacketsOfAFinishedSessionOpenNothingAndDeliverNothing() throws Exception {
        List<ByteBuf> recorded = new CopyOnWriteArrayList<>();
        RelayNodes.Node a = nodes.start(relay.url(), FAST);
        RelayNodes.Node b = nodes.start(relay.url(), FAST);
        PublicKey aId = a.transport.localAddress().nodeId();
        PublicKey bId = b.transport.localAddress().nodeId();
        relay.tamper = (source, destination, payload, out) -> {
            if (source.equals(aId)) {
                recorded.add(payload.copy());
            }
            out.deliver(source, destination, payload);
        };
        Connection c = a.transport.dial(b.transport.localAddress(), RelayNodes.RECORD).join();
        DuplexStream s = c.openStream().join();
        assertThat(RelayNodes.roundTrip(s, "once".getBytes(StandardCharsets.UTF_8))).hasSize(4);
        s.closeOutput();
        a.transport.close();
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.server.metrics().clients() == 1);
        int replayed = recorded.size();
        assertThat(replayed).isGreaterThan(3);

        // any packet from a third client triggers the replay, in A's name, of all A sent
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (RawRelayClient trigger = new RawRelayClient(group, relay.server.url()).authenticate()) {
            long before = relay.server.metrics().packetsForwarded();
            relay.tamper = (source, destination, payload, out) -> {
                payload.release();
                for (ByteBuf p : recorded) {
                    out.deliver(aId, bId, p.retainedDuplicate());
                }
            };
            trigger.sendPacket(bId, new byte[] {0});
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.server.metrics().packetsForwarded() >= before + replayed);
            // B answers the replayed handshake to nobody; nothing opens, nothing more is accepted
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(20)).until(() ->
                    b.handlerCalls.get() == 1 && new String(b.acceptedBytes(), StandardCharsets.UTF_8).equals("once"));
        } finally {
            recorded.forEach(ByteBuf::release);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }
}
