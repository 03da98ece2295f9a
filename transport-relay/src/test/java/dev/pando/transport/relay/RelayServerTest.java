package dev.pando.transport.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pando.PrivateKey;
import dev.pando.Signature;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relay server on its own: authentication, forwarding, limits, hostile input, HTTP endpoints. */
@Timeout(120)
class RelayServerTest {
    private EventLoopGroup group;
    private TestRelay relay;

    @BeforeEach
    void setUp() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterEach
    void tearDown() {
        if (relay != null) {
            relay.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    private TestRelay relay(RelayServerConfig config) {
        relay = new TestRelay(config);
        return relay;
    }

    private RawRelayClient client() throws InterruptedException {
        return new RawRelayClient(group, relay.server.url());
    }

    @Test
    void forwardsBetweenAuthenticatedClientsAndSaysWhenAPeerIsGone() throws Exception {
        relay(RelayServerConfig.defaults());
        try (RawRelayClient a = client().authenticate(); RawRelayClient b = client().authenticate()) {
            a.sendPacket(b.id(), new byte[] {1, 2, 3});
            ByteBuf got = b.next();
            RelayFrame.Packet p = (RelayFrame.Packet) RelayFrame.decode(got);
            assertThat(p.type()).isEqualTo(RelayFrame.RECV);
            assertThat(p.peer()).isEqualTo(a.id());
            assertThat(io.netty.buffer.ByteBufUtil.getBytes(p.payload())).containsExactly(1, 2, 3);
            p.payload().release();
            got.release();

            PrivateKey nobody = PrivateKey.generate();
            a.sendPacket(nobody.publicKey(), new byte[] {9});
            ByteBuf gone = a.next();
            assertThat(RelayFrame.decode(gone)).isEqualTo(new RelayFrame.PeerGone(nobody.publicKey()));
            gone.release();
            RelayMetrics m = relay.server.metrics();
            assertThat(m.clients()).isEqualTo(2);
            assertThat(m.packetsForwarded()).isEqualTo(1);
            assertThat(m.bytesForwarded()).isEqualTo(3);
            assertThat(m.drops().get(RelayMetrics.Drop.PEER_GONE)).isEqualTo(1);
        }
    }

    @Test
    void aReplayedProofIsRejected() throws Exception {
        relay(RelayServerConfig.defaults());
        PrivateKey key = PrivateKey.generate();
        Signature captured;
        try (RawRelayClient first = new RawRelayClient(group, relay.server.url(), key, 65536)) {
            byte[] nonce = first.challenge();
            captured = RelayAuth.prove(key, first.host, nonce);
            first.sendAuth(key.publicKey(), captured);
            ByteBuf ok = first.next();
            assertThat(RelayFrame.decode(ok)).isInstanceOf(RelayFrame.AuthOk.class);
            ok.release();
        }
        // an eavesdropper who saw that proof presents it on a connection of its own
        try (RawRelayClient thief = client()) {
            thief.challenge();
            thief.sendAuth(key.publicKey(), captured);
            assertThat(thief.awaitClose(Duration.ofSeconds(30))).isEqualTo(RelayServer.CLOSE_AUTH_FAILED);
        }
        assertThat(relay.server.metrics().closes().get(RelayMetrics.Close.AUTH_FAILED)).isEqualTo(1);
    }

    @Test
    void aForgedOrMisboundProofIsRejected() throws Exception {
        relay(RelayServerConfig.defaults());
        PrivateKey victim = PrivateKey.generate();
        PrivateKey attacker = PrivateKey.generate();
        try (RawRelayClient c = client()) {
            byte[] nonce = c.challenge();
            // signed by another key than the id it claims
            c.sendAuth(victim.publicKey(), attacker.sign(RelayAuth.signedBytes(c.host, nonce, victim.publicKey())));
            assertThat(c.awaitClose(Duration.ofSeconds(30))).isEqualTo(RelayServer.CLOSE_AUTH_FAILED);
        }
        try (RawRelayClient c = new RawRelayClient(group, relay.server.url(), attacker, 65536)) {
            byte[] nonce = c.challenge();
            // a valid signature, but for another relay
            c.sendAuth(attacker.publicKey(), RelayAuth.prove(attacker, "relay.example.org:443", nonce));
            assertThat(c.awaitClose(Duration.ofSeconds(30))).isEqualTo(RelayServer.CLOSE_AUTH_FAILED);
        }
        assertThat(relay.server.metrics().closes().get(RelayMetrics.Close.AUTH_FAILED)).isEqualTo(2);
        assertThat(relay.server.metrics().clients()).isZero();
    }

    @Test
    void packetsBeforeAuthenticationCloseTheConnection() throws Exception {
        relay(RelayServerConfig.defaults());
        try (RawRelayClient victim = client().authenticate(); RawRelayClient c = client()) {
            c.challenge();
            c.sendPacket(victim.id(), new byte[] {1});
            assertThat(c.awaitClose(Duration.ofSeconds(30))).isEqualTo(1002);
            assertThat(victim.frames).isEmpty();
        }
        assertThat(relay.server.metrics().closes().get(RelayMetrics.Close.MALFORMED)).isEqualTo(1);
        assertThat(relay.server.metrics().packetsForwarded()).isZero();
    }

    @Test
    void noProofInTimeClosesTheConnection() throws Exception {
        relay(RelayServerConfig.defaults().withAuthTimeout(Duration.ofMillis(300)));
        try (RawRelayClient c = client()) {
            c.challenge();
            assertThat(c.awaitClose(Duration.ofSeconds(30))).isEqualTo(RelayServer.CLOSE_AUTH_TIMEOUT);
        }
        assertThat(relay.server.metrics().closes().get(RelayMetrics.Close.AUTH_TIMEOUT)).isEqualTo(1);
    }

    @Test
    void theSameIdConnectingAgainReplacesTheOlderConnection() throws Exception {
        relay(RelayServerConfig.defaults());
        PrivateKey key = PrivateKey.generate();
        try (RawRelayClient old = new RawRelayClient(group, relay.server.url(), key, 65536).authenticate();
             RawRelayClient fresh = new RawRelayClient(group, relay.server.url(), key, 65536).authenticate();
             RawRelayClient other = client().authenticate()) {
            assertThat(old.awaitClose(Duration.ofSeconds(30))).isEqualTo(RelayServer.CLOSE_REPLACED);
            other.sendPacket(key.publicKey(), new byte[] {7});
            ByteBuf got = fresh.next();
            assertThat(RelayFrame.decode(got)).isInstanceOf(RelayFrame.Packet.class);
            ((RelayFrame.Packet) RelayFrame.decode(got)).payload().release();
            got.release();
            assertThat(relay.server.metrics().clients()).isEqualTo(2);
            assertThat(relay.server.metrics().closes().get(RelayMetrics.Close.REPLACED)).isEqualTo(1);
        }
    }

    @Test
    void anOversizedMessageClosesOnlyItsConnection() throws Exception {
        relay(RelayServerConfig.defaults());
        try (RawRelayClient ok = client().authenticate(); RawRelayClient big = client().authenticate()) {
            big.sendPacket(ok.id(), new byte[8192]);
            assertThat(big.awaitClose(Duration.ofSeconds(30))).isIn(1009, -1);
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.server.metrics().closes().get(RelayMetrics.Close.OVERSIZED) == 1);
            try (RawRelayClient after = client().authenticate()) {
                after.sendPacket(ok.id(), new byte[] {1});
                ByteBuf got = ok.next();
                assertThat(RelayFrame.decode(got)).isInstanceOf(RelayFrame.Packet.class);
                ((RelayFrame.Packet) RelayFrame.decode(got)).payload().release();
                got.release();
            }
        }
    }

    @Test
    void randomBytesAndBadRequestsNeverStopTheServer() throws Exception {
        relay(RelayServerConfig.defaults());
        Random random = new Random(16);
        for (int i = 0; i < 50; i++) {
            byte[] junk = new byte[1 + random.nextInt(20_000)];
            random.nextBytes(junk);
            try (Socket s = new Socket(relay.server.boundAddress().getAddress(), relay.server.boundAddress().getPort())) {
                s.setSoTimeout(30_000);
                OutputStream out = s.getOutputStream();
                try {
                    if (i % 2 == 0) {
                        out.write(junk);
                    } else {
                        // a syntactically valid upgrade, then garbage as WebSocket frames
                        out.write(("GET /relay HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.write(junk);
                    }
                    out.flush();
                    s.getInputStream().readAllBytes(); // the server closes the connection
                } catch (java.io.IOException reset) {
                    // a reset is a close too
                }
            }
        }
        assertThat(httpGet("/health")).startsWith("HTTP/1.1 200").endsWith("ok\n");
        RelayMetrics m = relay.server.metrics();
        assertThat(m.closes().get(RelayMetrics.Close.MALFORMED) + m.closes().get(RelayMetrics.Close.OVERSIZED)).isGreaterThan(0);
        try (RawRelayClient a = client().authenticate(); RawRelayClient b = client().authenticate()) {
            a.sendPacket(b.id(), new byte[] {1});
            ByteBuf got = b.next();
            assertThat(RelayFrame.decode(got)).isInstanceOf(RelayFrame.Packet.class);
            ((RelayFrame.Packet) RelayFrame.decode(got)).payload().release();
            got.release();
        }
    }

    @Test
    void healthAndPrometheusMetrics() throws Exception {
        relay(RelayServerConfig.defaults().withMetrics(true));
        try (RawRelayClient a = client().authenticate()) {
            assertThat(httpGet("/health")).startsWith("HTTP/1.1 200").endsWith("ok\n");
            String metrics = httpGet("/metrics");
            assertThat(metrics).startsWith("HTTP/1.1 200").contains("text/plain; version=0.0.4")
                    .contains("\npando_relay_clients 1\n")
                    .contains("pando_relay_drops_total{reason=\"receiver_slow\"} 0\n")
                    .contains("# TYPE pando_relay_packets_forwarded_total counter\n");
            assertThat(httpGet("/nothing")).startsWith("HTTP/1.1 404");
        }
    }

    @Test
    void metricsAreOffUnlessEnabled() throws Exception {
        relay(RelayServerConfig.defaults());
        assertThat(httpGet("/metrics")).startsWith("HTTP/1.1 404");
    }

    @Test
    void connectionsBeyondTheLimitAreRefused() throws Exception {
        relay(RelayServerConfig.defaults().withMaxClients(2));
        try (RawRelayClient a = client().authenticate(); RawRelayClient b = client().authenticate()) {
            try (Socket s = new Socket(relay.server.boundAddress().getAddress(), relay.server.boundAddress().getPort())) {
                s.setSoTimeout(30_000);
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(relay.server.metrics().closes().get(RelayMetrics.Close.SERVER_FULL)).isEqualTo(1);
            a.sendPacket(b.id(), new byte[] {1});
            ByteBuf got = b.next();
            assertThat(RelayFrame.decode(got)).isInstanceOf(RelayFrame.Packet.class);
            ((RelayFrame.Packet) RelayFrame.decode(got)).payload().release();
            got.release();
        }
    }

    @Test
    void aSenderOverItsRateLosesItsOwnPackets() throws Exception {
        relay(RelayServerConfig.defaults().withRate(10_000, 10_000));
        try (RawRelayClient a = client().authenticate(); RawRelayClient b = client().authenticate()) {
            b.countOnly = true;
            for (int i = 0; i < 100; i++) {
                a.sendPacket(b.id(), new byte[1000]);
            }
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    relay.server.metrics().packetsForwarded() + relay.server.metrics().drops().get(RelayMetrics.Drop.RATE_LIMITED) == 100);
            assertThat(relay.server.metrics().drops().get(RelayMetrics.Drop.RATE_LIMITED)).isPositive();
            // at most the burst plus what refilled while sending
            assertThat(relay.server.metrics().packetsForwarded()).isLessThan(100);
        }
    }

    private String httpGet(String path) throws Exception {
        try (Socket s = new Socket(relay.server.boundAddress().getAddress(), relay.server.boundAddress().getPort())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
