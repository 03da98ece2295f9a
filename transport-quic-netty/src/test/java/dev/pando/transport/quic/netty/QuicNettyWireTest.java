package dev.pando.transport.quic.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QuicNettyWireTest {
    static final String ECHO = "pando/echo/1";
    private final List<Transport> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        open.forEach(Transport::close);
    }

    Transport transport(PrivateKey key, NetworkId network, String... options) {
        ProviderOptions o = ProviderOptions.of("bind", "127.0.0.1:0");
        for (int i = 0; i < options.length; i += 2) {
            o = o.with(options[i], options[i + 1]);
        }
        Transport t = new QuicNettyTransportProvider().create(new TransportContext(key, network, o));
        open.add(t);
        return t;
    }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    @Test
    void dialAcceptAndEcho() throws Exception {
        PrivateKey a = PrivateKey.generate();
        PrivateKey b = PrivateKey.generate();
        Transport ta = transport(a, NetworkId.DEFAULT);
        Transport tb = transport(b, NetworkId.DEFAULT);
        LinkedBlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        tb.accept(ECHO, accepted::add);
        ta.start();
        tb.start();

        Connection c = await(ta.dial(tb.localAddress(), ECHO));
        assertThat(c.remoteNodeId()).isEqualTo(b.publicKey());
        assertThat(c.protocol()).isEqualTo(ECHO);
        Connection s = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(s).isNotNull();
        assertThat(s.remoteNodeId()).isEqualTo(a.publicKey());

        CompletableFuture<DuplexStream> incoming = s.acceptStream();
        DuplexStream out = await(c.openStream());
        out.write("hello".getBytes());
        out.closeOutput();
        DuplexStream in = await(incoming);
        byte[] got = in.inputStream().readAllBytes();
        assertThat(new String(got)).isEqualTo("hello");
        in.write("world".getBytes());
        in.closeOutput();
        assertThat(new String(out.inputStream().readAllBytes())).isEqualTo("world");
        out.close();
        in.close();
    }

    @Test
    void wrongNodeIdIsAProtocolViolation() throws Exception {
        Transport ta = transport(PrivateKey.generate(), NetworkId.DEFAULT);
        Transport tb = transport(PrivateKey.generate(), NetworkId.DEFAULT);
        tb.accept(ECHO, c -> { });
        ta.start();
        tb.start();
        PrivateKey someoneElse = PrivateKey.generate();
        NodeAddress wrong = tb.localAddress().withDirectAddresses(tb.localAddress().directAddresses());
        wrong = new NodeAddress(someoneElse.publicKey(), wrong.directAddresses(), wrong.relayUrl());
        CompletableFuture<Connection> f = ta.dial(wrong, ECHO);
        assertThatThrownBy(() -> await(f)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ProtocolViolationException.class).hasMessageContaining("reached node");
    }

    @Test
    void otherNetworkNeverConnects() throws Exception {
        Transport ta = transport(PrivateKey.generate(), NetworkId.DEFAULT, "handshake_timeout", "1500ms");
        Transport tb = transport(PrivateKey.generate(), NetworkId.named("elsewhere"));
        LinkedBlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        tb.accept(ECHO, accepted::add);
        ta.start();
        tb.start();
        // no common ALPN: the TLS handshake fails on the acceptor. quiche does not send the alert
        // in that state, so against a Netty acceptor the dialer sees its handshake timeout
        assertThatThrownBy(() -> await(ta.dial(tb.localAddress(), ECHO))).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfAny(ProtocolViolationException.class, DeadlineExceededException.class);
        assertThat(accepted).isEmpty();
        assertThat(((QuicNettyTransport) tb).counters()).containsKey("connection_errors");
    }

    @Test
    void unknownProtocolIsAProtocolViolation() throws Exception {
        Transport ta = transport(PrivateKey.generate(), NetworkId.DEFAULT);
        Transport tb = transport(PrivateKey.generate(), NetworkId.DEFAULT);
        tb.accept(ECHO, c -> { });
        ta.start();
        tb.start();
        assertThatThrownBy(() -> await(ta.dial(tb.localAddress(), "pando/other/1"))).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ProtocolViolationException.class).hasMessageContaining("does not accept protocol pando/other/1");
        // the physical connection stays usable for a protocol it does accept
        assertThat(await(ta.dial(tb.localAddress(), ECHO)).isOpen()).isTrue();
    }

    @Test
    void closedTransportRefusesDials() {
        Transport ta = transport(PrivateKey.generate(), NetworkId.DEFAULT);
        ta.start();
        NodeAddress self = ta.localAddress();
        ta.close();
        ta.close();
        assertThatThrownBy(() -> await(ta.dial(NodeAddress.direct(PrivateKey.generate().publicKey(), self.directAddresses().get(0)), ECHO)))
                .cause().isInstanceOf(ConnectionClosedException.class);
    }
}
