package dev.pando.transport.quic.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

/** Two nodes dialing each other at the same moment: whatever the race gives, everything works. */
class QuicNettyCrossDialTest {
    static final String ECHO = "pando/echo/1";
    private final List<Transport> transports = new ArrayList<>();
    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void close() throws InterruptedException {
        transports.forEach(Transport::close);
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private QuicNettyTransport node(String maxLinksPerPeer) {
        Transport t = new QuicNettyTransportProvider().create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT,
                ProviderOptions.of("bind", "127.0.0.1:0", "max_connections_per_peer", maxLinksPerPeer)));
        t.accept(ECHO, c -> acceptLoop(c));
        t.start();
        transports.add(t);
        return (QuicNettyTransport) t;
    }

    private void acceptLoop(Connection c) {
        c.acceptStream().whenComplete((s, e) -> {
            if (e == null) {
                pool.execute(() -> {
                    try {
                        s.write(s.inputStream().readAllBytes());
                        s.closeOutput();
                    } catch (RuntimeException | java.io.IOException x) {
                        s.abort();
                    }
                });
                acceptLoop(c);
            }
        });
    }

    private static byte[] roundTrip(Connection c, byte[] data) throws Exception {
        DuplexStream s = c.openStream().get(20, TimeUnit.SECONDS);
        s.write(data);
        s.closeOutput();
        return s.inputStream().readAllBytes();
    }

    @RepeatedTest(3)
    @Timeout(60)
    void simultaneousDialsBothWork() throws Exception {
        crossDial("2");
    }

    /**
     * With one link per peer allowed, each node may end up holding its accepted link and then see
     * its own dial complete: a node's own dial is never refused by the bound (WIRE.md §7).
     */
    @RepeatedTest(5)
    @Timeout(60)
    void simultaneousDialsBothWorkWithOneLinkPerPeer() throws Exception {
        crossDial("1");
    }

    private void crossDial(String maxLinksPerPeer) throws Exception {
        QuicNettyTransport a = node(maxLinksPerPeer);
        QuicNettyTransport b = node(maxLinksPerPeer);
        CountDownLatch go = new CountDownLatch(1);
        Future<Connection> ab = pool.submit(() -> {
            go.await();
            return a.dial(b.localAddress(), ECHO).get(20, TimeUnit.SECONDS);
        });
        Future<Connection> ba = pool.submit(() -> {
            go.await();
            return b.dial(a.localAddress(), ECHO).get(20, TimeUnit.SECONDS);
        });
        go.countDown();
        Connection ca = ab.get(30, TimeUnit.SECONDS);
        Connection cb = ba.get(30, TimeUnit.SECONDS);
        assertThat(ca.remoteNodeId()).isEqualTo(b.nodeId());
        assertThat(cb.remoteNodeId()).isEqualTo(a.nodeId());
        assertThat(a.linkCount(b.nodeId())).isBetween(1, 2);
        assertThat(b.linkCount(a.nodeId())).isBetween(1, 2);

        CompletableFuture<byte[]> x = CompletableFuture.supplyAsync(() -> call(ca, new byte[] {1, 2}), pool);
        CompletableFuture<byte[]> y = CompletableFuture.supplyAsync(() -> call(cb, new byte[] {3, 4}), pool);
        assertThat(x.get(30, TimeUnit.SECONDS)).containsExactly(1, 2);
        assertThat(y.get(30, TimeUnit.SECONDS)).containsExactly(3, 4);
        // a later dial reuses what exists
        assertThat(roundTrip(a.dial(b.localAddress(), ECHO).get(20, TimeUnit.SECONDS), new byte[] {5})).containsExactly(5);
        assertThat(a.linkCount(b.nodeId())).isBetween(1, 2);
    }

    private static byte[] call(Connection c, byte[] data) {
        try {
            return roundTrip(c, data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
