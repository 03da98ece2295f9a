package dev.pando.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.TransportContext;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Leaks over many connections, and garbage sent to the UDP port. */
class KwikRobustnessTest {
    private static final String ECHO = "pando/echo/1";
    private final List<KwikTransport> transports = new ArrayList<>();
    private int handshakeRetries;

    @AfterEach
    void closeAll() {
        transports.forEach(KwikTransport::close);
    }

    private KwikTransport start() {
        KwikTransport t = (KwikTransport) new KwikTransportProvider().create(new TransportContext(
                PrivateKey.generate(), NetworkId.DEFAULT, ProviderOptions.of("bind", "127.0.0.1:0")));
        transports.add(t);
        t.accept(ECHO, KwikTransportTest::serveEcho);
        t.start();
        return t;
    }

    private static void echoOnce(Connection c, byte value) throws Exception {
        DuplexStream s = c.openStream().get(20, TimeUnit.SECONDS);
        s.write(new byte[] {value});
        s.closeOutput();
        assertThat(s.inputStream().readAllBytes()).containsExactly(value);
        s.close();
    }

    private static long openFileDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toSet());
    }

    @Test
    @Timeout(600)
    void thousandConnectCloseCyclesLeakNothing() throws Exception {
        KwikTransport server = start();
        KwikTransport client = start();
        // warm up: class loading, JIT, kwik's shared executors
        for (int i = 0; i < 20; i++) {
            cycle(client, server, i);
        }
        int threadsBefore = Thread.activeCount();
        long fdsBefore = openFileDescriptors();
        long heapBefore = usedHeapAfterGc();

        for (int i = 0; i < 1000; i++) {
            cycle(client, server, i);
        }

        // kwik finishes closing (draining period) on its own threads: wait for them to go
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(Thread.activeCount()).as("live threads, names: %s", threadNames())
                        .isLessThanOrEqualTo(threadsBefore + 4));
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(openFileDescriptors()).isLessThanOrEqualTo(fdsBefore + 4));
        assertThat(usedHeapAfterGc() - heapBefore).as("heap growth over 1000 cycles").isLessThan(64L << 20);
        assertThat(client.linkCount(server.localAddress().nodeId())).isZero();
    }

    /**
     * One full connection life: handshake, identity proof, a stream, then the link is closed. A
     * kwik handshake that misses its 10 s deadline is retried once and counted: this test is about
     * leaks; on this loaded 2-core machine 1 handshake in about 1,200 timed out (see README).
     */
    private void cycle(KwikTransport client, KwikTransport server, int i) throws Exception {
        Connection c;
        try {
            try {
                c = client.dial(server.localAddress(), ECHO).get(90, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof dev.pando.DeadlineExceededException) || ++handshakeRetries > 3) {
                    throw e;
                }
                c = client.dial(server.localAddress(), ECHO).get(90, TimeUnit.SECONDS);
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("dial of cycle " + i + " failed; server links " + server.allLinkCount()
                    + ", client links " + client.allLinkCount() + ", threads " + Thread.activeCount(), e);
        }
        echoOnce(c, (byte) i);
        client.disconnect(server.localAddress().nodeId());
        assertThat(c.isOpen()).isFalse();
    }

    @Test
    @Timeout(120)
    void randomDatagramsDoNotHurtTheServer() throws Exception {
        KwikTransport server = start();
        InetSocketAddress target = server.localAddress().directAddresses().get(0);
        SplittableRandom random = new SplittableRandom(2024);
        try (DatagramSocket junk = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int i = 0; i < 5_000; i++) {
                byte[] b = new byte[1 + random.nextInt(1400)];
                random.nextBytes(b);
                if (i % 2 == 0) {
                    // half of them look like QUIC v1 long-header packets, so they get past the first checks
                    b[0] = (byte) (0xC0 | (b[0] & 0x3F));
                    if (b.length > 5) {
                        b[1] = 0;
                        b[2] = 0;
                        b[3] = 0;
                        b[4] = 1;
                    }
                }
                junk.send(new DatagramPacket(b, b.length, target));
            }
        }
        KwikTransport client = start();
        Connection c = client.dial(server.localAddress(), ECHO).get(30, TimeUnit.SECONDS);
        echoOnce(c, (byte) 77);
        assertThat(c.remoteNodeId()).isEqualTo(server.localAddress().nodeId());
    }
}
