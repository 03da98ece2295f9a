package dev.pando.transport.quic.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.UnsupportedAddressException;
import dev.pando.PrivateKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The addresses a node prints work when dialled; a peer is reached on any of its addresses. */
class QuicNettyAddressTest {
    private static final String ECHO = "pando/echo/1";
    private final List<Transport> transports = new ArrayList<>();

    @AfterEach
    void close() {
        transports.forEach(Transport::close);
        echoThreads.shutdownNow();
    }

    private Transport node(String bind, String handshakeTimeout) {
        Transport t = new QuicNettyTransportProvider().create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT,
                ProviderOptions.of(Map.of("bind", bind, "handshake_timeout", handshakeTimeout))));
        t.accept(ECHO, this::serveEcho);
        t.start();
        transports.add(t);
        return t;
    }

    private final java.util.concurrent.ExecutorService echoThreads = java.util.concurrent.Executors.newCachedThreadPool();

    /** Echoes every stream of the connection, on a thread of its own (never Netty's). */
    private void serveEcho(Connection c) {
        c.acceptStream().whenComplete((s, e) -> {
            if (e != null) {
                return;
            }
            echoThreads.execute(() -> {
                try {
                    s.write(s.inputStream().readAllBytes());
                    s.closeOutput();
                } catch (Exception x) {
                    s.abort();
                }
            });
            serveEcho(c);
        });
    }

    private static void echo(Transport from, NodeAddress to) throws Exception {
        Connection c = from.dial(to, ECHO).get(30, TimeUnit.SECONDS);
        DuplexStream s = c.openStream().get(30, TimeUnit.SECONDS);
        s.write(new byte[] {5, 6});
        s.closeOutput();
        assertThat(s.inputStream().readAllBytes()).containsExactly(5, 6);
    }

    @Test
    @Timeout(60)
    void everyAddressOfAWildcardListenerWorksWhenDialledAsPrinted() throws Exception {
        Transport server = node("[::]:0", "10s");
        List<InetSocketAddress> printed = server.localAddress().directAddresses();
        assertThat(printed).isNotEmpty();
        if (printed.stream().anyMatch(a -> !a.getAddress().isLoopbackAddress())) {
            // another host would reach itself at a loopback address: it is printed only when alone
            assertThat(printed).as("printed %s", printed).noneMatch(a -> a.getAddress().isLoopbackAddress());
        }
        for (InetSocketAddress a : printed) {
            // the text form, parsed back, as a user would paste it
            NodeAddress asPrinted = NodeAddress.parse(NodeAddress.direct(server.localAddress().nodeId(), a).toText());
            assertThat(asPrinted.toText()).doesNotContain("%");
            echo(node("[::]:0", "10s"), asPrinted); // a fresh client: a new connection to this address
        }
    }

    @Test
    @Timeout(60)
    void aSilentFirstAddressDoesNotHoldUpTheNext() throws Exception {
        // a handshake timeout far longer than the wait below: the dial only completes in time if
        // the second address is tried while the first is still waiting (RFC 8305)
        Transport server = node("[::1]:0", "10s");
        Transport client = node("[::]:0", "600s");
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0))) {
            InetSocketAddress nobody = (InetSocketAddress) silent.getLocalSocketAddress();
            NodeAddress both = new NodeAddress(server.localAddress().nodeId(),
                    List.of(nobody, server.localAddress().directAddresses().get(0)), java.util.Optional.empty());
            echo(client, both);
        }
    }

    @Test
    @Timeout(60)
    void anAddressOfAnotherFamilyIsNotSupportedAndFailsAtOnceTyped() throws Exception {
        Transport server = node("[::1]:0", "10s");
        Transport client = node("127.0.0.1:0", "600s");
        assertThat(client.supports(server.localAddress())).isFalse();
        try {
            client.dial(server.localAddress(), ECHO).get(30, TimeUnit.SECONDS);
            throw new AssertionError("an IPv4 socket reached an IPv6 address");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(UnsupportedAddressException.class).hasMessageContaining("IPv6");
        }
    }
}
