package dev.pando.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

@Tag("kwik-stalls") // kwik 0.10.8 stalls at random: run with -Pkwik (README, "Limits of kwik")
class KwikTransportTest {
    private static final String ECHO = "pando/echo/1";
    private final List<Transport> transports = new ArrayList<>();

    @AfterEach
    void closeAll() {
        transports.forEach(Transport::close);
    }

    private KwikTransport transport(PrivateKey key, NetworkId network, ProviderOptions options) {
        KwikTransport t = (KwikTransport) new KwikTransportProvider()
                .create(new TransportContext(key, network, options.with("bind", "127.0.0.1:0")));
        transports.add(t);
        return t;
    }

    private KwikTransport echoNode(PrivateKey key) {
        KwikTransport t = transport(key, NetworkId.DEFAULT, ProviderOptions.empty());
        t.accept(ECHO, c -> serveEcho(c));
        t.start();
        return t;
    }

    /** Echo workers: the common pool has one thread on two cores, too few for blocking echoes. */
    private static final java.util.concurrent.ExecutorService ECHO_THREADS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-echo");
        t.setDaemon(true);
        return t;
    });

    static void serveEcho(Connection c) {
        c.acceptStream().thenAccept(s -> {
            ECHO_THREADS.execute(() -> {
                byte[] buf = new byte[4096];
                try (s) {
                    int n;
                    while ((n = s.read(buf, 0, buf.length)) > 0) {
                        s.write(buf, 0, n);
                    }
                } catch (RuntimeException e) {
                    // peer gone
                }
            });
            serveEcho(c);
        });
    }

    @Test
    void dialOpenStreamAndEcho() throws Exception {
        KwikTransport a = echoNode(PrivateKey.generate());
        PrivateKey bKey = PrivateKey.generate();
        KwikTransport b = echoNode(bKey);
        Connection c = a.dial(b.localAddress(), ECHO).get(20, TimeUnit.SECONDS);
        assertThat(c.remoteNodeId()).isEqualTo(bKey.publicKey());
        DuplexStream s = c.openStream().get(10, TimeUnit.SECONDS);
        byte[] msg = "hello kwik".getBytes(StandardCharsets.UTF_8);
        s.write(msg);
        s.closeOutput();
        byte[] back = s.inputStream().readAllBytes();
        assertThat(back).isEqualTo(msg);
        s.close();
        // a second dial reuses the connection
        assertThat(a.dial(b.localAddress(), ECHO).get(10, TimeUnit.SECONDS)).isSameAs(c);
    }

    @Test
    void dialBackReusesTheLink() throws Exception {
        KwikTransport a = echoNode(PrivateKey.generate());
        KwikTransport b = echoNode(PrivateKey.generate());
        a.dial(b.localAddress(), ECHO).get(20, TimeUnit.SECONDS);
        Connection back = b.dial(a.localAddress(), ECHO).get(20, TimeUnit.SECONDS);
        assertThat(a.linkCount(b.localAddress().nodeId())).isEqualTo(1);
        assertThat(b.linkCount(a.localAddress().nodeId())).isEqualTo(1);
        DuplexStream s = back.openStream().get(10, TimeUnit.SECONDS);
        s.write(new byte[] {5, 6});
        s.closeOutput();
        assertThat(s.inputStream().readAllBytes()).containsExactly(5, 6);
    }

    @Test
    void wrongNodeIdFails() throws Exception {
        KwikTransport a = echoNode(PrivateKey.generate());
        KwikTransport b = echoNode(PrivateKey.generate());
        NodeAddress lie = b.localAddress().withDirectAddresses(b.localAddress().directAddresses());
        lie = new NodeAddress(PrivateKey.generate().publicKey(), lie.directAddresses(), lie.relayUrl());
        CompletableFuture<Connection> f = a.dial(lie, ECHO);
        assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("reached node");
    }

    @Test
    void unknownProtocolFails() {
        KwikTransport a = echoNode(PrivateKey.generate());
        KwikTransport b = echoNode(PrivateKey.generate());
        assertThatThrownBy(() -> a.dial(b.localAddress(), "pando/nothing/1").join())
                .isInstanceOf(CompletionException.class).cause()
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("does not accept protocol");
    }

    @Test
    void otherNetworkFails() {
        KwikTransport a = echoNode(PrivateKey.generate());
        KwikTransport b = transport(PrivateKey.generate(), NetworkId.named("elsewhere"), ProviderOptions.empty());
        b.accept(ECHO, KwikTransportTest::serveEcho);
        b.start();
        assertThatThrownBy(() -> a.dial(b.localAddress(), ECHO).join())
                .cause().isInstanceOf(ProtocolViolationException.class).hasMessageContaining("network id");
    }

    @Test
    void openStreamWithoutCreditWaitsOnAWorkerAndLeavesTheCallerUninterrupted() throws Exception {
        // the server grants one stream at a time; the client (default options) guesses it has
        // credit, so its caller-thread attempt must be cut short and handed to a worker
        KwikTransport server = transport(PrivateKey.generate(), NetworkId.DEFAULT, ProviderOptions.of("max_streams_per_connection", "1"));
        server.accept(ECHO, KwikTransportTest::serveEcho);
        server.start();
        KwikTransport client = echoNode(PrivateKey.generate());
        Connection c = client.dial(server.localAddress(), ECHO).get(20, TimeUnit.SECONDS);

        DuplexStream first = c.openStream().get(20, TimeUnit.SECONDS);
        first.write(new byte[] {1});
        byte[] one = new byte[1];
        first.readFully(one, 0, 1); // the server holds the stream open: no credit left
        long waitsBefore = client.counters().creditWaits.sum();
        CompletableFuture<DuplexStream> second = c.openStream();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(second).isNotDone();
        assertThat(client.counters().creditWaits.sum()).isEqualTo(waitsBefore + 1);

        first.closeOutput();
        assertThat(first.read(one, 0, 1)).isEqualTo(-1);
        first.close();
        DuplexStream s = second.get(20, TimeUnit.SECONDS);
        s.write(new byte[] {7, 8});
        s.closeOutput();
        assertThat(s.inputStream().readAllBytes()).containsExactly(7, 8);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void openStreamWithoutCreditFailsAtTheStreamTimeout() throws Exception {
        KwikTransport server = transport(PrivateKey.generate(), NetworkId.DEFAULT, ProviderOptions.of("max_streams_per_connection", "1"));
        server.accept(ECHO, KwikTransportTest::serveEcho);
        server.start();
        KwikTransport client = transport(PrivateKey.generate(), NetworkId.DEFAULT, ProviderOptions.of("stream_timeout", "500ms"));
        client.start();
        Connection c = client.dial(server.localAddress(), ECHO).get(20, TimeUnit.SECONDS);
        DuplexStream first = c.openStream().get(20, TimeUnit.SECONDS);
        first.write(new byte[] {1});
        first.readFully(new byte[1], 0, 1);
        assertThatThrownBy(() -> c.openStream().get(20, TimeUnit.SECONDS)).cause()
                .isInstanceOf(DeadlineExceededException.class).hasMessageContaining("opening a stream");
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void silentReadHitsDeadline() throws Exception {
        ProviderOptions fast = ProviderOptions.of("stream_timeout", "500ms");
        KwikTransport a = transport(PrivateKey.generate(), NetworkId.DEFAULT, fast);
        a.start();
        KwikTransport b = transport(PrivateKey.generate(), NetworkId.DEFAULT, fast);
        b.accept(ECHO, c -> { }); // accepts, never reads
        b.start();
        Connection c = a.dial(b.localAddress(), ECHO).get(20, TimeUnit.SECONDS);
        DuplexStream s = c.openStream().get(10, TimeUnit.SECONDS);
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(500));
        assertThatThrownBy(() -> s.read(new byte[1], 0, 1)).isInstanceOf(DeadlineExceededException.class);
        // the stall dropped the connection: the next dial makes a fresh one
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !c.isOpen());
        assertThat(a.counters().stalls.sum()).isEqualTo(1);
        Connection again = a.dial(b.localAddress(), ECHO).get(20, TimeUnit.SECONDS);
        assertThat(again).isNotSameAs(c);
        assertThat(again.isOpen()).isTrue();
    }
}
