package dev.pando.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.DeadlineExceededException;
import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.spi.TransportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

/** A kwik node and a Netty QUIC node ("quic-netty") dial each other both ways and exchange data. */
@Tag("kwik-stalls") // kwik 0.10.8 stalls at random: run with -Pkwik (README, "Limits of kwik")
class KwikNettyInteropTest {
    private static final String ECHO = "pando/echo/1";
    private static final String SINK = "pando/sink/1";
    private final List<Transport> transports = new ArrayList<>();

    @AfterEach
    void closeAll() {
        transports.forEach(Transport::close);
    }

    /**
     * The Netty provider sits on the test class path (unnamed module); this module declares no
     * {@code uses}, so it is instantiated by name instead of through ServiceLoader.
     */
    private static TransportProvider nettyProvider() throws ReflectiveOperationException {
        return (TransportProvider) Class.forName("dev.pando.transport.quic.netty.QuicNettyTransportProvider")
                .getConstructor().newInstance();
    }

    private Transport node(TransportProvider provider, PrivateKey key) {
        return node(provider, key, NetworkId.DEFAULT);
    }

    private Transport node(TransportProvider provider, PrivateKey key, NetworkId network) {
        return node(provider, key, network, c -> { });
    }

    /** A started node that echoes {@link #ECHO} and hands {@link #SINK} connections to {@code sinks}. */
    private Transport node(TransportProvider provider, PrivateKey key, NetworkId network, java.util.function.Consumer<Connection> sinks) {
        Transport t = provider.create(new TransportContext(key, network,
                ProviderOptions.of("bind", "127.0.0.1:0").with("handshake_timeout", "60s")));
        transports.add(t);
        t.accept(ECHO, KwikTransportTest::serveEcho);
        t.accept(SINK, sinks);
        t.start();
        return t;
    }

    private static void echo(Connection c, int seed) throws Exception {
        byte[] data = new byte[100_000];
        new SplittableRandom(seed).nextBytes(data);
        DuplexStream s = c.openStream().get(20, TimeUnit.SECONDS);
        s.write(data);
        s.closeOutput();
        assertThat(s.inputStream().readAllBytes()).isEqualTo(data);
        s.close();
    }

    @Test
    void kwikAndNettyDialEachOtherAndExchangeData() throws Exception {
        PrivateKey kwikKey = PrivateKey.generate();
        PrivateKey nettyKey = PrivateKey.generate();
        Transport kwik = node(new KwikTransportProvider(), kwikKey);
        Transport netty = node(nettyProvider(), nettyKey);

        Connection toNetty = kwik.dial(netty.localAddress(), ECHO).get(30, TimeUnit.SECONDS);
        assertThat(toNetty.remoteNodeId()).isEqualTo(nettyKey.publicKey());
        echo(toNetty, 1);

        Connection toKwik = netty.dial(kwik.localAddress(), ECHO).get(30, TimeUnit.SECONDS);
        assertThat(toKwik.remoteNodeId()).isEqualTo(kwikKey.publicKey());
        echo(toKwik, 2);
    }

    @Test
    void nettyDialsKwikFirst() throws Exception {
        PrivateKey kwikKey = PrivateKey.generate();
        Transport kwik = node(new KwikTransportProvider(), kwikKey);
        Transport netty = node(nettyProvider(), PrivateKey.generate());

        Connection toKwik = netty.dial(kwik.localAddress(), ECHO).get(30, TimeUnit.SECONDS);
        assertThat(toKwik.remoteNodeId()).isEqualTo(kwikKey.publicKey());
        echo(toKwik, 3);
        // and back over the connection Netty dialed
        Connection back = kwik.dial(netty.localAddress(), ECHO).get(30, TimeUnit.SECONDS);
        echo(back, 4);
    }

    @Test
    void nettyDialingAKwikNodeOfAnotherNetworkFailsTyped() throws Exception {
        Transport kwik = node(new KwikTransportProvider(), PrivateKey.generate(), NetworkId.named("elsewhere"));
        Transport netty = node(nettyProvider(), PrivateKey.generate());
        // kwik accepts the other-network ALPN and closes with code 6: Netty learns it is another network
        assertThatThrownBy(() -> netty.dial(kwik.localAddress(), ECHO).get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ProtocolViolationException.class)
                .hasMessageContaining("belongs to another network");
    }

    /**
     * The one pairing where the refusal is not reliably typed: kwik offers a single ALPN, so it
     * cannot negotiate {@code pando/1}, and quiche rarely sends the TLS alert for the failed ALPN
     * (measured: 1 of 6 probes got alert 120 after 11 s, 5 of 6 reached the 15 s handshake
     * timeout). What holds: the dial fails typed, within the handshake timeout, and nothing connects.
     */
    @Test
    void kwikDialingANettyNodeOfAnotherNetworkNeverConnects() throws Exception {
        List<Connection> accepted = new java.util.concurrent.CopyOnWriteArrayList<>();
        Transport netty = nettyProvider().create(new TransportContext(PrivateKey.generate(), NetworkId.named("elsewhere"),
                ProviderOptions.of("bind", "127.0.0.1:0")));
        transports.add(netty);
        netty.accept(ECHO, accepted::add);
        netty.start();
        Transport kwik = new KwikTransportProvider().create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT,
                ProviderOptions.of("bind", "127.0.0.1:0").with("handshake_timeout", "2s")));
        transports.add(kwik);
        kwik.start();
        assertThatThrownBy(() -> kwik.dial(netty.localAddress(), ECHO).get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOfAny(ProtocolViolationException.class, DeadlineExceededException.class);
        assertThat(accepted).isEmpty();
    }

    @Test
    void closingAConnectionReachesThePeerAcrossProviders() throws Exception {
        PrivateKey kwikKey = PrivateKey.generate();
        PrivateKey nettyKey = PrivateKey.generate();
        List<Connection> atKwik = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Connection> atNetty = new java.util.concurrent.CopyOnWriteArrayList<>();
        Transport kwik = node(new KwikTransportProvider(), kwikKey, NetworkId.DEFAULT, atKwik::add);
        Transport netty = node(nettyProvider(), nettyKey, NetworkId.DEFAULT, atNetty::add);

        Connection kwikToNetty = kwik.dial(netty.localAddress(), SINK).get(30, TimeUnit.SECONDS);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> atNetty.size() == 1);
        kwikToNetty.close();
        atNetty.get(0).closed().toCompletableFuture().get(20, TimeUnit.SECONDS);

        Connection nettyToKwik = netty.dial(kwik.localAddress(), SINK).get(30, TimeUnit.SECONDS);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> atKwik.size() == 1);
        nettyToKwik.close();
        atKwik.get(0).closed().toCompletableFuture().get(20, TimeUnit.SECONDS);
        // a new dial after the close works and reaches the handler again
        assertThat(netty.dial(kwik.localAddress(), SINK).get(30, TimeUnit.SECONDS).isOpen()).isTrue();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> atKwik.size() == 2);
    }
}
