package dev.pando.testkit.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** UdpDelayRelay on loopback with plain DatagramSockets: delay, order, routing, loss, overflow, close. */
@Timeout(60)
class UdpDelayRelayTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T track(T c) {
        open.add(c);
        return c;
    }

    private DatagramSocket socket() throws IOException {
        DatagramSocket s = track(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)));
        s.setReceiveBufferSize(4 << 20);
        s.setSoTimeout(10_000);
        return s;
    }

    private static InetSocketAddress addressOf(DatagramSocket s) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }

    /** A UDP echo server on its own thread, answering every datagram to its sender. */
    private InetSocketAddress echoServer() throws IOException {
        DatagramSocket server = socket();
        server.setSoTimeout(0);
        Thread t = new Thread(() -> {
            byte[] buf = new byte[65_535];
            while (!server.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    server.receive(p);
                    server.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                } catch (IOException e) {
                    return; // closed by the test
                }
            }
        }, "udp-echo");
        t.setDaemon(true);
        t.start();
        return addressOf(server);
    }

    private static void send(DatagramSocket from, InetSocketAddress to, byte[] data) throws IOException {
        from.send(new DatagramPacket(data, data.length, to));
    }

    private static byte[] receive(DatagramSocket s) throws IOException {
        byte[] buf = new byte[65_535];
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        return java.util.Arrays.copyOf(p.getData(), p.getLength());
    }

    private static byte[] seq(int i, int size) {
        return ByteBuffer.allocate(size).putInt(0, i).array();
    }

    @Test
    void aRoundTripTakesAtLeastTwiceTheDelay() throws IOException {
        Duration delay = Duration.ofMillis(40);
        UdpDelayRelay relay = track(UdpDelayRelay.to(echoServer()).delay(delay).start());
        DatagramSocket client = socket();

        for (int i = 0; i < 3; i++) {
            long start = System.nanoTime();
            send(client, relay.address(), seq(i, 100));
            byte[] reply = receive(client);
            long elapsed = System.nanoTime() - start;

            assertThat(ByteBuffer.wrap(reply).getInt()).isEqualTo(i);
            assertThat(Duration.ofNanos(elapsed)).isGreaterThanOrEqualTo(delay.multipliedBy(2));
        }
        assertThat(relay.address().getAddress().isLoopbackAddress()).isTrue();
        // the relay counts a datagram after its send returns, which can be after the client read it
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(relay.counters()).isEqualTo(new UdpDelayRelay.Counters(6, 0, 0, 0)));
    }

    @Test
    void keepsTheOrderOfEachDirectionUnderARateLimit() throws IOException {
        DatagramSocket target = socket();
        UdpDelayRelay relay = track(UdpDelayRelay.to(addressOf(target))
                .delay(Duration.ofMillis(5)).rate(2_000_000).start());
        DatagramSocket client = socket();
        int count = 300;

        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            send(client, relay.address(), seq(i, 1_000));
        }
        List<Integer> received = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            received.add(ByteBuffer.wrap(receive(target)).getInt());
        }
        long elapsed = System.nanoTime() - start;

        assertThat(received).isSorted().doesNotHaveDuplicates().hasSize(count);
        // 300,000 bytes through a 2 MB/s link take at least 150 ms
        assertThat(Duration.ofNanos(elapsed)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    }

    @Test
    void repliesReachTheClientThatSentTheRequest() throws IOException {
        UdpDelayRelay relay = track(UdpDelayRelay.to(echoServer()).delay(Duration.ofMillis(2)).start());
        DatagramSocket alice = socket();
        DatagramSocket bob = socket();

        for (int i = 0; i < 20; i++) {
            send(alice, relay.address(), ("alice " + i).getBytes(StandardCharsets.UTF_8));
            send(bob, relay.address(), ("bob " + i).getBytes(StandardCharsets.UTF_8));
        }
        for (int i = 0; i < 20; i++) {
            assertThat(new String(receive(alice), StandardCharsets.UTF_8)).isEqualTo("alice " + i);
            assertThat(new String(receive(bob), StandardCharsets.UTF_8)).isEqualTo("bob " + i);
        }
        assertThat(relay.clients()).isEqualTo(2);
    }

    @Test
    void theTargetSeesOneSourceAddressPerClient() throws IOException {
        DatagramSocket target = socket();
        UdpDelayRelay relay = track(UdpDelayRelay.to(addressOf(target)).start());
        DatagramSocket alice = socket();
        DatagramSocket bob = socket();

        send(alice, relay.address(), new byte[] {1});
        DatagramPacket first = new DatagramPacket(new byte[8], 8);
        target.receive(first);
        send(bob, relay.address(), new byte[] {2});
        DatagramPacket second = new DatagramPacket(new byte[8], 8);
        target.receive(second);
        send(alice, relay.address(), new byte[] {3});
        DatagramPacket third = new DatagramPacket(new byte[8], 8);
        target.receive(third);

        assertThat(second.getSocketAddress()).isNotEqualTo(first.getSocketAddress());
        assertThat(third.getSocketAddress()).isEqualTo(first.getSocketAddress());
        assertThat(first.getSocketAddress()).isNotEqualTo(addressOf(alice));
    }

    @Test
    void seededLossDropsTheExpectedShareAndTheSameDatagramsEveryTime() throws IOException {
        List<Integer> firstRun = throughLossyRelay(7);
        List<Integer> secondRun = throughLossyRelay(7);

        // 2,000 draws at p = 0.2: 400 expected, standard deviation ~18
        assertThat(2_000 - firstRun.size()).isBetween(320, 480);
        assertThat(secondRun).isEqualTo(firstRun);
        assertThat(throughLossyRelay(8)).isNotEqualTo(firstRun);
    }

    /** Sends 2,000 numbered datagrams in batches (so no socket buffer overflows) and returns those that arrived. */
    private List<Integer> throughLossyRelay(long seed) throws IOException {
        DatagramSocket target = socket();
        DatagramSocket client = socket();
        try (UdpDelayRelay relay = UdpDelayRelay.to(addressOf(target)).loss(0.2, seed).start()) {
            List<Integer> arrived = new ArrayList<>();
            int sent = 0;
            while (sent < 2_000) {
                for (int i = 0; i < 100; i++, sent++) {
                    send(client, relay.address(), seq(sent, 64));
                }
                int expected = sent;
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(5)).until(() -> {
                    UdpDelayRelay.Counters c = relay.counters();
                    return c.forwarded() + c.droppedByLoss() == expected;
                });
                long forwarded = relay.counters().forwarded();
                while (arrived.size() < forwarded) {
                    arrived.add(ByteBuffer.wrap(receive(target)).getInt());
                }
            }
            UdpDelayRelay.Counters c = relay.counters();
            assertThat(c.droppedByLoss()).isEqualTo(2_000 - arrived.size());
            assertThat(c.droppedByOverflow()).isZero();
            assertThat(arrived).isSorted();
            return arrived;
        }
    }

    @Test
    void datagramsBeyondTheQueueLimitAreDroppedAndCounted() throws IOException {
        DatagramSocket target = socket();
        // a delay far longer than the test: all ten datagrams that fit are still held at the end
        UdpDelayRelay relay = track(UdpDelayRelay.to(addressOf(target))
                .delay(Duration.ofMinutes(5)).queueLimit(10_000).start());
        DatagramSocket client = socket();

        for (int i = 0; i < 50; i++) {
            send(client, relay.address(), seq(i, 1_000));
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> relay.counters().droppedByOverflow() == 40);
        assertThat(relay.counters().forwarded()).isZero();
    }

    @Test
    void clientsBeyondTheLimitAreDroppedAndCounted() throws IOException {
        DatagramSocket target = socket();
        UdpDelayRelay relay = track(UdpDelayRelay.to(addressOf(target)).maxClients(1).start());
        DatagramSocket alice = socket();
        DatagramSocket bob = socket();

        send(alice, relay.address(), new byte[] {1});
        assertThat(receive(target)).containsExactly(1);
        send(bob, relay.address(), new byte[] {2});

        await().atMost(Duration.ofSeconds(20)).until(() -> relay.counters().droppedByOverflow() == 1);
        assertThat(relay.clients()).isEqualTo(1);
    }

    @Test
    void closeStopsItsThreadsFreesThePortAndIsIdempotent() throws Exception {
        DatagramSocket target = socket();
        UdpDelayRelay relay = UdpDelayRelay.to(addressOf(target)).delay(Duration.ofMinutes(5)).start();
        DatagramSocket client = socket();
        send(client, relay.address(), new byte[] {1}); // held when the relay closes
        await().atMost(Duration.ofSeconds(20)).until(() -> relay.clients() == 1);
        int port = relay.address().getPort();

        relay.close();
        relay.close();

        try (DatagramSocket again = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
        assertThat(Thread.getAllStackTraces().keySet())
                .noneMatch(t -> t.getName().startsWith("udp-delay-relay-" + port));
        target.setSoTimeout(200);
        assertThatThrownBy(() -> receive(target)).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void rejectsInvalidSettings() {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
        assertThatThrownBy(() -> UdpDelayRelay.to(target).delay(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UdpDelayRelay.to(target).loss(1.0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UdpDelayRelay.to(target).rate(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UdpDelayRelay.to(target).queueLimit(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UdpDelayRelay.to(target).maxClients(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
