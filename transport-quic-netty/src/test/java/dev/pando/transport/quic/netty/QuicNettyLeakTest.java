package dev.pando.transport.quic.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import java.io.File;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many sequential connect/close cycles: each starts a client transport, dials, echoes over one
 * stream and closes the client. Nothing may accumulate: threads, file descriptors, heap.
 */
class QuicNettyLeakTest {
    static final String ECHO = "pando/echo/1";
    static final int CYCLES = Integer.getInteger("pando.leak.cycles", 200);

    static Transport transport(PrivateKey key) {
        return new QuicNettyTransportProvider().create(
                new TransportContext(key, NetworkId.DEFAULT, ProviderOptions.of("bind", "127.0.0.1:0")));
    }

    static int openFileDescriptors() {
        String[] fds = new File("/proc/self/fd").list();
        return fds == null ? -1 : fds.length;
    }

    static Set<String> ourThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("pando-quic-netty")).collect(Collectors.toSet());
    }

    static long usedHeapAfterGc() {
        Runtime r = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return r.totalMemory() - r.freeMemory();
    }

    @Test
    @Timeout(900)
    void connectCloseCyclesLeakNothing() throws Exception {
        Transport server = transport(PrivateKey.generate());
        server.accept(ECHO, c -> acceptLoop(c));
        server.start();
        try {
            // warm up: class loading, native library, pools
            cycle(server);
            cycle(server);
            await().atMost(Duration.ofSeconds(30)).until(() -> ourThreadsExceptServer().isEmpty());
            int threadsBefore = Thread.activeCount();
            int fdsBefore = openFileDescriptors();
            long heapBefore = usedHeapAfterGc();

            long start = System.nanoTime();
            for (int i = 0; i < CYCLES; i++) {
                cycle(server);
            }
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf("quic-netty leak test: %d connect/echo/close cycles in %d ms (%.1f ms each)%n",
                    CYCLES, elapsedMs, (double) elapsedMs / CYCLES);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(ourThreadsExceptServer()).as("client threads left").isEmpty());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(Thread.activeCount()).as("live threads").isLessThanOrEqualTo(threadsBefore + 2));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(openFileDescriptors()).as("open file descriptors").isLessThanOrEqualTo(fdsBefore + 8));
            // the server forgets every client once its connection is closed
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(((QuicNettyTransport) server).linkCount()).as("server-side connections").isZero());
            long heapAfter = usedHeapAfterGc();
            System.out.printf("quic-netty leak test: heap after GC %d KiB before, %d KiB after; fds %d -> %d%n",
                    heapBefore / 1024, heapAfter / 1024, fdsBefore, openFileDescriptors());
            assertThat(heapAfter - heapBefore).as("heap growth after %d cycles", CYCLES).isLessThan(32L * 1024 * 1024);
        } finally {
            server.close();
        }
    }

    private Set<String> serverThreads;

    private Set<String> ourThreadsExceptServer() {
        if (serverThreads == null) {
            serverThreads = ourThreads();
        }
        Set<String> now = ourThreads();
        now.removeAll(serverThreads);
        return now;
    }

    private static void cycle(Transport server) throws Exception {
        Transport client = transport(PrivateKey.generate());
        client.start();
        try {
            Connection c = client.dial(server.localAddress(), ECHO).get(20, TimeUnit.SECONDS);
            DuplexStream s = c.openStream().get(20, TimeUnit.SECONDS);
            s.write(new byte[] {1, 2, 3});
            s.closeOutput();
            byte[] back = s.inputStream().readAllBytes();
            assertThat(back).containsExactly(1, 2, 3);
            s.close();
        } finally {
            client.close();
        }
    }

    private static void acceptLoop(Connection c) {
        c.acceptStream().whenComplete((s, e) -> {
            if (e == null) {
                Thread t = new Thread(() -> echo(s), "test-echo");
                t.setDaemon(true);
                t.start();
                acceptLoop(c);
            }
        });
    }

    private static void echo(DuplexStream s) {
        try {
            byte[] all = s.inputStream().readAllBytes();
            s.write(all);
            s.closeOutput();
        } catch (RuntimeException | java.io.IOException e) {
            s.abort();
        }
    }
}
