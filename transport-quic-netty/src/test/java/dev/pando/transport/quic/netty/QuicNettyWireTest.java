package dev.pando.transport.quic.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.ConnectionClosedException;
import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import java.time.Duration;
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
    void otherNetworkIsRefusedWithATypedError() throws Exception {
        // a handshake timeout far above the test's own, so a silent refusal cannot pass as typed
        Transport ta = transport(PrivateKey.generate(), NetworkId.DEFAULT, "handshake_timeout", "60s");
        Transport tb = transport(PrivateKey.generate(), NetworkId.named("elsewhere"), "handshake_timeout", "60s");
        LinkedBlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        tb.accept(ECHO, accepted::add);
        ta.start();
        tb.start();
        CompletableFuture<Connection> dial = ta.dial(tb.localAddress(), ECHO);
        assertThatThrownBy(() -> dial.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(ProtocolViolationException.class).hasMessageContaining("another network");
        assertThat(accepted).isEmpty();
        assertThat(((QuicNettyTransport) ta).counters()).containsEntry("other_network", 1L);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ((QuicNettyTransport) tb).counters().getOrDefault("other_network", 0L) == 1L);
        // a node of the acceptor's network still connects
        Transport tc = transport(PrivateKey.generate(), NetworkId.named("elsewhere"));
        tc.start();
        assertThat(await(tc.dial(tb.localAddress(), ECHO)).remoteNodeId()).isEqualTo(tb.localAddress().nodeId());
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
