package dev.pando.transport.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relay under stress: a restart, a receiver that stops reading, many clients at once. */
@Timeout(180)
class RelayResilienceTest {
    private EventLoopGroup group;

    @BeforeEach
    void setUp() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    @Test
    void afterARelayRestartClientsReconnectAndTheirConnectionsResume() {
        TestRelay first = new TestRelay();
        InetSocketAddress address = first.server.boundAddress();
        String url = first.url();
        TestRelay second = null;
        try (RelayNodes nodes = new RelayNodes()) {
            // the claim is that a QUIC connection outlives a relay outage shorter than its idle
            // timeout: a generous one, so that a slow reconnection on a busy machine (the restart,
            // the backoff, the new proof of identity) still fits in it (CI once took longer than 30 s)
            RelayNodes.Node a = nodes.start(url, "idle_timeout", "120s");
            RelayNodes.Node b = nodes.start(url, "idle_timeout", "120s");
            Connection c = a.transport.dial(b.transport.localAddress(), RelayNodes.RECORD).join();
            DuplexStream s = c.openStream().join();
            s.timeout(Duration.ofSeconds(30));
            assertThat(RelayNodes.roundTrip(s, new byte[] {1, 2})).containsExactly(1, 2);

            first.close();
            second = new TestRelay(RelayServerConfig.defaults().withBind(address));
            TestRelay restarted = second;
            await().atMost(Duration.ofSeconds(60)).until(() -> restarted.server.metrics().clients() == 2);

            // the same QUIC connection and stream carry on (the outage was shorter than the idle timeout)
            assertThat(RelayNodes.roundTrip(s, new byte[] {3, 4})).containsExactly(3, 4);
            assertThat(c.closed().toCompletableFuture()).isNotDone();
            assertThat(b.acceptedBytes()).containsExactly(1, 2, 3, 4);
            // each node told its event sink: connected, lost, connected again
            java.net.URI relayUrl = java.net.URI.create(url);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(a.events)
                    .filteredOn(e -> e instanceof dev.pando.spi.RelayEvent).containsExactly(
                    new dev.pando.spi.RelayEvent.Connected(relayUrl),
                    new dev.pando.spi.RelayEvent.Disconnected(relayUrl, "the connection to the relay closed"),
                    new dev.pando.spi.RelayEvent.Connected(relayUrl)));
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    @Test
    void aReceiverThatStopsReadingLosesItsOwnPacketsAndSlowsNobodyElse() throws Exception {
        try (TestRelay relay = new TestRelay(RelayServerConfig.defaults().withRate(1L << 30, 1L << 30));
             RawRelayClient sender = new RawRelayClient(group, relay.server.url()).authenticate();
             RawRelayClient slow = new RawRelayClient(group, relay.server.url()).authenticate();
             RawRelayClient fast = new RawRelayClient(group, relay.server.url()).authenticate()) {
            slow.channel.config().setAutoRead(false);
            fast.countOnly = true;
            byte[] packet = new byte[1200];
            int batches = 100;
            int toSlow = 150; // 18 MB in all at the slow receiver: far beyond its queue and socket buffers
            int toFast = 50;  // 60 KB a batch, within one receiver's queue (256 KiB)
            for (int b = 1; b <= batches; b++) {
                for (int i = 0; i < toSlow; i++) {
                    sender.sendPacket(slow.id(), packet);
                }
                for (int i = 0; i < toFast; i++) {
                    sender.sendPacket(fast.id(), packet);
                }
                long expected = (long) b * toFast;
                // every packet to the reader arrives, batch after batch, while the other's queue is full
                await().atMost(Duration.ofSeconds(60)).until(() -> fast.packetsReceived.get() == expected);
            }
            // each packet was forwarded or dropped as the slow receiver's, none for another reason
            await().atMost(Duration.ofSeconds(60)).until(() -> relay.server.metrics().packetsForwarded()
                    + relay.server.metrics().drops().get(RelayMetrics.Drop.RECEIVER_SLOW) == (long) batches * (toSlow + toFast));
            RelayMetrics m = relay.server.metrics();
            assertThat(m.drops().get(RelayMetrics.Drop.RECEIVER_SLOW)).isPositive();
            assertThat(m.drops().get(RelayMetrics.Drop.RATE_LIMITED)).isZero();
        }
    }

    @Test
    void dialingANodeTheRelayDoesNotKnowFailsAtOnceAsConnectionClosed() {
        try (TestRelay relay = new TestRelay(); RelayNodes nodes = new RelayNodes()) {
            // a handshake timeout far beyond this test's, so only PEER_GONE can end the dial in time
            RelayNodes.Node a = nodes.start(relay.url(), "handshake_timeout", "10m");
            dev.pando.NodeAddress absent = dev.pando.NodeAddress.parse(dev.pando.PrivateKey.generate().publicKey().hex() + "@;relay=" + relay.url());
            Throwable t = org.assertj.core.api.Assertions.catchThrowable(() ->
                    a.transport.dial(absent, RelayNodes.RECORD).get(60, TimeUnit.SECONDS));
            assertThat(t).isInstanceOf(java.util.concurrent.ExecutionException.class)
                    .hasCauseInstanceOf(dev.pando.ConnectionClosedException.class)
                    .hasMessageContaining("is not connected to relay");
            assertThat(relay.server.metrics().drops().get(RelayMetrics.Drop.PEER_GONE)).isPositive();
        }
    }

    @Test
    void manyClientsAtOnce() throws Exception {
        int n = Integer.getInteger("pando.relay.test.clients", 1000);
        Runtime rt = Runtime.getRuntime();
        try (TestRelay relay = new TestRelay()) {
            List<RawRelayClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    clients.add(new RawRelayClient(group, relay.server.url()));
                }
                for (RawRelayClient c : clients) {
                    c.authenticate();
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> relay.server.metrics().clients() == n);
                for (int i = 0; i < n; i++) {
                    clients.get(i).sendPacket(clients.get((i + 1) % n).id(), new byte[] {(byte) i});
                }
                for (int i = 0; i < n; i++) {
                    ByteBuf got = clients.get(i).next();
                    RelayFrame.Packet p = (RelayFrame.Packet) RelayFrame.decode(got);
                    assertThat(p.peer()).isEqualTo(clients.get((i + n - 1) % n).id());
                    p.payload().release();
                    got.release();
                }
                System.out.printf("RESULT relay_clients=%d heap_used_mb=%d heap_max_mb=%d%n", n,
                        (rt.totalMemory() - rt.freeMemory()) >> 20, rt.maxMemory() >> 20);
            } finally {
                clients.forEach(RawRelayClient::close);
            }
        }
    }
}
