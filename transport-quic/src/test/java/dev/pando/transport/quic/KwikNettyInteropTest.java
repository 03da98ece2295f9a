package dev.pando.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

/** A kwik node and a Netty QUIC node ("quic-netty") dial each other both ways and exchange data. */
class KwikNettyInteropTest {
    private static final String ECHO = "pando/echo/1";
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
        Transport t = provider.create(new TransportContext(key, network,
                ProviderOptions.of("bind", "127.0.0.1:0").with("handshake_timeout", "60s")));
        transports.add(t);
        t.accept(ECHO, KwikTransportTest::serveEcho);
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
        // kwik answers the failed ALPN with a TLS alert, well before the 60 s handshake timeout
        assertThatThrownBy(() -> netty.dial(kwik.localAddress(), ECHO).get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ProtocolViolationException.class).hasMessageContaining("network");
    }

    @Test
    void kwikDialingANettyNodeOfAnotherNetworkFailsTyped() throws Exception {
        Transport netty = node(nettyProvider(), PrivateKey.generate(), NetworkId.named("elsewhere"));
        Transport kwik = node(new KwikTransportProvider(), PrivateKey.generate());
        assertThatThrownBy(() -> kwik.dial(netty.localAddress(), ECHO).get(20, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(ProtocolViolationException.class).hasMessageContaining("network");
    }
}
