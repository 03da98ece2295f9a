package dev.pando.testkit.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pando.ConfigurationException;
import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderEvent;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.spi.TransportEvent;
import dev.pando.spi.TransportProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Link conditions, the clock, and the memory-specific behaviour of {@link MemoryNetwork}. */
@Timeout(30)
class MemoryNetworkTest {
    private static final String PROTOCOL = "pando/test/1";

    private final List<Transport> transports = new ArrayList<>();

    @AfterEach
    void close() {
        transports.forEach(Transport::close);
    }

    /** A started transport that hands every accepted connection to {@code accepted}. */
    private Transport node(MemoryNetwork network, ProviderOptions options, BlockingQueue<Connection> accepted) {
        Transport t = network.transport(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT, options));
        transports.add(t);
        t.accept(PROTOCOL, accepted::add);
        t.start();
        return t;
    }

    /** Both ends of a fresh stream from a client to a server on {@code network}. */
    private record Pair(Transport client, Transport server, Connection connection, Connection accepted,
                        MemoryStream out, MemoryStream in) {
    }

    private Pair pair(MemoryNetwork network, ProviderOptions options) throws Exception {
        BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        Transport server = node(network, options, accepted);
        Transport client = node(network, options, new LinkedBlockingQueue<>());
        Connection c = client.dial(server.localAddress(), PROTOCOL).get(5, TimeUnit.SECONDS);
        Connection a = accepted.poll(5, TimeUnit.SECONDS);
        assertThat(a).isNotNull();
        MemoryStream out = (MemoryStream) c.openStream().get(5, TimeUnit.SECONDS);
        MemoryStream in = (MemoryStream) a.acceptStream().get(5, TimeUnit.SECONDS);
        return new Pair(client, server, c, a, out, in);
    }

    /** Waits until some thread is blocked in a read or write of {@code network}. */
    private static void awaitBlockedThread(MemoryNetwork network) {
        await().atMost(Duration.ofSeconds(10)).until(() -> network.waitingThreads() > 0);
    }

    private static CompletableFuture<byte[]> readAsync(DuplexStream s, int length) {
        return CompletableFuture.supplyAsync(() -> {
            byte[] b = new byte[length];
            s.readFully(b, 0, length);
            return b;
        });
    }

    @Test
    void aSignalledReaderNoLongerCountsAsWaiting() throws Exception {
        // what tests driving a manual clock rely on: "every party waits" must not count a thread
        // that was just given data but has not run yet, or the clock runs ahead of it
        ManualClock clock = new ManualClock();
        MemoryNetwork network = MemoryNetwork.builder().clock(clock).build();
        Pair p = pair(network, ProviderOptions.empty());
        CompletableFuture<byte[]> read = readAsync(p.in(), 2);
        awaitBlockedThread(network);
        assertThat(network.waitingThreads()).isEqualTo(1);
        network.lock.lock();
        try {
            p.out().write(new byte[] {4, 5}); // signals the reader, which cannot resume while we hold the lock
            assertThat(network.waitingThreads()).isZero();
        } finally {
            network.lock.unlock();
        }
        assertThat(read.get(10, TimeUnit.SECONDS)).containsExactly(4, 5);
        assertThat(network.waitingThreads()).isZero();
    }

    @Test
    void latencyDelaysDataOnTheManualClock() throws Exception {
        ManualClock clock = new ManualClock();
        MemoryNetwork network = MemoryNetwork.builder().clock(clock)
                .conditions(MemoryLinkConditions.PERFECT.withLatency(Duration.ofMillis(50))).build();
        Pair p = pair(network, ProviderOptions.empty());

        p.out().write(new byte[] {1, 2, 3});
        assertThat(p.in().available()).isZero();
        clock.advance(Duration.ofMillis(49));
        assertThat(p.in().available()).as("readable before 50 ms passed").isZero();
        clock.advance(Duration.ofMillis(1));
        assertThat(p.in().available()).isEqualTo(3);
        byte[] b = new byte[3];
        p.in().readFully(b, 0, 3);
        assertThat(b).containsExactly(1, 2, 3);
    }

    @Test
    void aBlockedReaderWakesWhenTheClockReachesTheDeliveryTime() throws Exception {
        ManualClock clock = new ManualClock();
        MemoryNetwork network = MemoryNetwork.builder().clock(clock)
                .conditions(MemoryLinkConditions.PERFECT.withLatency(Duration.ofMillis(50))).build();
        Pair p = pair(network, ProviderOptions.empty());
        CompletableFuture<byte[]> read = readAsync(p.in(), 2);
        awaitBlockedThread(network);

        p.out().write(new byte[] {9, 8});
        clock.advance(Duration.ofMillis(50));
        assertThat(read.get(10, TimeUnit.SECONDS)).containsExactly(9, 8);
    }

    @Test
    void endOfStreamTravelsWithTheSameLatency() throws Exception {
        ManualClock clock = new ManualClock();
        MemoryNetwork network = MemoryNetwork.builder().clock(clock)
                .conditions(MemoryLinkConditions.PERFECT.withLatency(Duration.ofMillis(20))).build();
        Pair p = pair(network, ProviderOptions.empty());
        p.out().write(new byte[] {1});
        p.out().closeOutput();
        CompletableFuture<Integer> eof = CompletableFuture.supplyAsync(() -> {
            byte[] b = new byte[4];
            int first = p.in().read(b, 0, 4);
            return first == 1 ? p.in().read(b, 0, 4) : -100;
        });
        clock.advance(Duration.ofMillis(20));
        assertThat(eof.get(10, TimeUnit.SECONDS)).isEqualTo(-1);
    }

    @Test
    void oneMegabyteAtOneMegabytePerSecondTakesOneSecondOfVirtualTime() {
        ManualClock clock = new ManualClock();
        MemoryNetwork network = MemoryNetwork.builder().clock(clock)
                .conditions(MemoryLinkConditions.PERFECT.withBandwidth(1_000_000)).build();
        Pair p;
        try {
            p = pair(network, ProviderOptions.of("stream_window", "2000000"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        p.out().write(new byte[1_000_000]);
        clock.advance(Duration.ofMillis(500));
        int halfway = p.in().available();
        assertThat(halfway).isBetween(500_000 - MemoryNetwork.PACKET_SIZE, 500_000);
        clock.advance(Duration.ofMillis(499));
        assertThat(p.in().available()).isLessThan(1_000_000);
        clock.advance(Duration.ofMillis(1));
        assertThat(p.in().available()).isEqualTo(1_000_000);
    }

    @Test
    void bandwidthIsSharedByTheStreamsOfALink() throws Exception {
        ManualClock clock = new ManualClock();
        MemoryNetwork network = MemoryNetwork.builder().clock(clock)
                .conditions(MemoryLinkConditions.PERFECT.withBandwidth(100_000)).build();
        Pair p = pair(network, ProviderOptions.empty());
        MemoryStream second = (MemoryStream) p.connection().openStream().get(5, TimeUnit.SECONDS);
        MemoryStream secondIn = (MemoryStream) p.accepted().acceptStream().get(5, TimeUnit.SECONDS);

        p.out().write(new byte[100_000]);
        second.write(new byte[100_000]);
        clock.advance(Duration.ofSeconds(1));
        assertThat(p.in().available()).isEqualTo(100_000);
        assertThat(secondIn.available()).as("queued behind the first stream on the same link").isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(secondIn.available()).isEqualTo(100_000);
    }

    @Test
    void conditionsCanDifferPerDirection() throws Exception {
        ManualClock clock = new ManualClock();
        MemoryNetwork network = MemoryNetwork.builder().clock(clock).build();
        Pair p = pair(network, ProviderOptions.empty());
        network.conditions(p.client(), p.server(), MemoryLinkConditions.PERFECT.withLatency(Duration.ofMillis(100)));

        p.out().write(new byte[] {1});
        p.in().write(new byte[] {2});
        assertThat(p.out().available()).as("server to client is still perfect").isEqualTo(1);
        assertThat(p.in().available()).isZero();
        clock.advance(Duration.ofMillis(100));
        assertThat(p.in().available()).isEqualTo(1);
    }

    /** The delivery timeline of 40 packets on a lossy link: how many are readable after each 10 ms. */
    private List<Integer> lossyTimeline(long seed) throws Exception {
        ManualClock clock = new ManualClock();
        MemoryNetwork network = MemoryNetwork.builder().clock(clock).seed(seed)
                .conditions(MemoryLinkConditions.PERFECT.withLatency(Duration.ofMillis(10)).withLoss(0.3)
                        .withRetransmissionDelay(Duration.ofMillis(30)))
                .build();
        Pair p = pair(network, ProviderOptions.of("stream_window", "1000000"));
        p.out().write(new byte[40 * MemoryNetwork.PACKET_SIZE]);
        List<Integer> timeline = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            clock.advance(Duration.ofMillis(10));
            timeline.add(p.in().available() / MemoryNetwork.PACKET_SIZE);
        }
        timeline.add((int) network.retransmissions());
        return timeline;
    }

    @Test
    void lossDelaysPacketsReproduciblyAndNeverLosesBytes() throws Exception {
        List<Integer> first = lossyTimeline(42);
        List<Integer> again = lossyTimeline(42);
        List<Integer> other = lossyTimeline(43);

        assertThat(again).as("same seed, same timeline").isEqualTo(first);
        assertThat(other).as("another seed, another timeline").isNotEqualTo(first);
        int retransmissions = first.get(first.size() - 1);
        assertThat(retransmissions).isPositive();
        List<Integer> readable = first.subList(0, first.size() - 1);
        assertThat(readable.get(0)).as("at 10 ms: a lossless link would deliver all 40").isLessThan(40);
        assertThat(readable.get(readable.size() - 1)).as("reliable: everything arrives").isEqualTo(40);
        assertThat(readable).isSorted();
    }

    @Test
    void deadlinesAreMeasuredOnTheNetworkClock() throws Exception {
        ManualClock clock = new ManualClock();
        MemoryNetwork network = MemoryNetwork.builder().clock(clock).build();
        Pair p = pair(network, ProviderOptions.of("stream_timeout", "1s"));
        CompletableFuture<byte[]> read = readAsync(p.in(), 1);
        awaitBlockedThread(network);

        clock.advance(Duration.ofMillis(999));
        clock.advance(Duration.ofMillis(1));
        assertThatThrownBy(() -> read.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(DeadlineExceededException.class);
    }

    @Test
    void aWriterBlocksOnAFullWindowUntilTheReaderReads() throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        Pair p = pair(network, ProviderOptions.of("stream_window", "1000"));
        CompletableFuture<Void> write = CompletableFuture.runAsync(() -> p.out().write(new byte[1500]));

        await().atMost(Duration.ofSeconds(10)).until(() -> p.in().available() == 1000);
        assertThat(write).as("500 bytes do not fit the window").isNotDone();
        byte[] b = new byte[1500];
        p.in().readFully(b, 0, 1500);
        write.get(10, TimeUnit.SECONDS);
    }

    @Test
    void disconnectingANodeClosesItsConnectionsUntilReconnected() throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        Pair p = pair(network, ProviderOptions.empty());
        CompletableFuture<byte[]> read = readAsync(p.out(), 1);

        network.disconnect(p.server().localAddress().nodeId());
        assertThatThrownBy(() -> read.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(ConnectionClosedException.class);
        p.connection().closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        p.accepted().closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(network.physicalConnections(p.client().localAddress().nodeId(), p.server().localAddress().nodeId())).isZero();
        assertThatThrownBy(() -> p.client().dial(p.server().localAddress(), PROTOCOL).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ConnectionClosedException.class);

        network.reconnect(p.server().localAddress().nodeId());
        Connection c = p.client().dial(p.server().localAddress(), PROTOCOL).get(10, TimeUnit.SECONDS);
        assertThat(c.isOpen()).isTrue();
    }

    @Test
    void closingAConnectionClosesBothEndsAndTheNextDialIsAcceptedAgain() throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        Transport server = node(network, ProviderOptions.empty(), accepted);
        Transport client = node(network, ProviderOptions.empty(), new LinkedBlockingQueue<>());
        Connection c = client.dial(server.localAddress(), PROTOCOL).get(5, TimeUnit.SECONDS);
        Connection a = accepted.poll(5, TimeUnit.SECONDS);
        DuplexStream s = c.openStream().get(5, TimeUnit.SECONDS);

        c.close();
        c.close();
        a.closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(a.isOpen()).isFalse();
        assertThatThrownBy(() -> s.write(new byte[1])).isInstanceOf(ConnectionClosedException.class);
        assertThatThrownBy(() -> a.acceptStream().get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(ConnectionClosedException.class);

        Connection again = client.dial(server.localAddress(), PROTOCOL).get(5, TimeUnit.SECONDS);
        assertThat(again).isNotSameAs(c);
        assertThat(accepted.poll(5, TimeUnit.SECONDS)).as("a new connection, a new handler call").isNotNull().isNotSameAs(a);
    }

    @Test
    void streamsBeyondTheAcceptQueueAreRefused() throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        Pair p = pair(network, ProviderOptions.of("accept_queue", "2"));
        // nobody accepts: two streams wait, the third is refused
        DuplexStream one = p.connection().openStream().get(5, TimeUnit.SECONDS);
        DuplexStream two = p.connection().openStream().get(5, TimeUnit.SECONDS);
        DuplexStream three = p.connection().openStream().get(5, TimeUnit.SECONDS);
        one.write(new byte[1]);
        two.write(new byte[1]);
        assertThatThrownBy(() -> three.write(new byte[1]))
                .isInstanceOf(ConnectionClosedException.class)
                .hasMessageContaining("accept queue");
    }

    @Test
    void abortAndCloseReachThePeer() throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        Pair p = pair(network, ProviderOptions.empty());
        p.out().abort();
        p.out().abort();
        assertThatThrownBy(() -> p.in().read(new byte[1], 0, 1)).isInstanceOf(ConnectionClosedException.class)
                .hasMessageContaining("aborted");
        assertThatThrownBy(() -> p.in().write(new byte[1])).isInstanceOf(ConnectionClosedException.class);

        MemoryStream out = (MemoryStream) p.connection().openStream().get(5, TimeUnit.SECONDS);
        MemoryStream in = (MemoryStream) p.accepted().acceptStream().get(5, TimeUnit.SECONDS);
        in.close();
        assertThatThrownBy(() -> out.write(new byte[1])).isInstanceOf(ConnectionClosedException.class);
        assertThat(out.read(new byte[1], 0, 1)).as("the closing side half-closed").isEqualTo(-1);
    }

    @Test
    void finishedStreamsAreForgotten() throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        Pair p = pair(network, ProviderOptions.empty());
        for (int i = 0; i < 200; i++) {
            DuplexStream out = p.connection().openStream().get(5, TimeUnit.SECONDS);
            DuplexStream in = p.accepted().acceptStream().get(5, TimeUnit.SECONDS);
            out.write(new byte[] {(byte) i});
            out.closeOutput();
            assertThat(in.read(new byte[1], 0, 1)).isEqualTo(1);
            assertThat(in.read(new byte[1], 0, 1)).isEqualTo(-1);
            in.closeOutput();
            assertThat(out.read(new byte[1], 0, 1)).isEqualTo(-1);
        }
        p.out().close();
        p.in().close();
        network.lock.lock();
        try {
            assertThat(((MemoryConnection) p.connection()).streams).isEmpty();
            assertThat(((MemoryConnection) p.accepted()).streams).isEmpty();
        } finally {
            network.lock.unlock();
        }
    }

    @Test
    void lifecycleAndAddresses() {
        MemoryNetwork network = MemoryNetwork.create();
        Transport t = network.transport(PrivateKey.generate(), NetworkId.DEFAULT);
        transports.add(t);
        assertThatThrownBy(t::localAddress).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> t.accept("Not A Protocol", c -> { })).isInstanceOf(IllegalArgumentException.class);
        t.accept(PROTOCOL, c -> { });
        assertThatThrownBy(() -> t.accept(PROTOCOL, c -> { })).isInstanceOf(IllegalStateException.class);
        t.start();
        assertThatThrownBy(() -> t.accept("pando/other/1", c -> { })).isInstanceOf(IllegalStateException.class);
        assertThat(t.localAddress().directAddresses()).hasSize(1);
        assertThat(t.localAddress().directAddresses().get(0).getAddress().isLoopbackAddress()).isTrue();
        t.close();
        t.close();
    }

    @Test
    void otherNetworkIdsAreProtocolViolationsAndSelfDialsIllegalArguments() throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        Transport a = network.transport(PrivateKey.generate(), NetworkId.named("a"));
        Transport b = network.transport(PrivateKey.generate(), NetworkId.named("b"));
        transports.add(a);
        transports.add(b);
        a.accept(PROTOCOL, c -> { });
        b.accept(PROTOCOL, c -> { });
        a.start();
        b.start();
        assertThatThrownBy(() -> a.dial(b.localAddress(), PROTOCOL).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ProtocolViolationException.class).hasMessageContaining("different network");
        assertThatThrownBy(() -> a.dial(a.localAddress(), PROTOCOL).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void linkEventsAlternateAcrossADisconnectAndAReconnect() throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        List<ProviderEvent> atA = new CopyOnWriteArrayList<>();
        List<ProviderEvent> atB = new CopyOnWriteArrayList<>();
        PrivateKey keyA = PrivateKey.generate();
        PrivateKey keyB = PrivateKey.generate();
        Transport a = network.transport(new TransportContext(keyA, NetworkId.DEFAULT, ProviderOptions.empty(),
                NodeServices.system().withEvents(atA::add)));
        Transport b = network.transport(new TransportContext(keyB, NetworkId.DEFAULT, ProviderOptions.empty(),
                NodeServices.system().withEvents(atB::add)));
        transports.add(a);
        transports.add(b);
        b.accept(PROTOCOL, c -> { });
        a.start();
        b.start();
        PublicKey idA = keyA.publicKey();
        PublicKey idB = keyB.publicKey();

        a.dial(b.localAddress(), PROTOCOL).get(5, TimeUnit.SECONDS);
        network.disconnect(idB);
        network.reconnect(idB);
        a.dial(b.localAddress(), PROTOCOL).get(5, TimeUnit.SECONDS);
        assertThat(atA).containsExactly(new TransportEvent.PeerConnected(idB), new TransportEvent.PeerDisconnected(idB),
                new TransportEvent.PeerConnected(idB));
        assertThat(atB).containsExactly(new TransportEvent.PeerConnected(idA), new TransportEvent.PeerDisconnected(idA),
                new TransportEvent.PeerConnected(idA));
    }

    @Test
    void theProviderMakesTransportsOfItsNetwork() throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        TransportProvider provider = network.provider();
        assertThat(provider.name()).isEqualTo("memory");
        BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        Transport server = provider.create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT, ProviderOptions.empty()));
        transports.add(server);
        server.accept(PROTOCOL, accepted::add);
        server.start();
        Transport client = network.transport(PrivateKey.generate(), NetworkId.DEFAULT);
        transports.add(client);
        client.start();
        client.dial(server.localAddress(), PROTOCOL).get(5, TimeUnit.SECONDS);
        assertThat(accepted.poll(5, TimeUnit.SECONDS)).isNotNull();

        assertThatThrownBy(() -> provider.create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT,
                ProviderOptions.of("stream_window", "0")))).isInstanceOf(ConfigurationException.class);
        assertThatThrownBy(() -> provider.create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT,
                ProviderOptions.of("stream_timeout", "soon")))).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void closingTheNetworkClosesItsTransports() throws Exception {
        MemoryNetwork network = MemoryNetwork.create();
        Pair p = pair(network, ProviderOptions.empty());
        network.close();
        network.close();
        p.connection().closed().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> p.out().write(new byte[1])).isInstanceOf(ConnectionClosedException.class);
        assertThatThrownBy(() -> p.client().dial(p.server().localAddress(), PROTOCOL).get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(ConnectionClosedException.class);
        assertThatThrownBy(() -> network.transport(PrivateKey.generate(), NetworkId.DEFAULT))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void invalidConditionsAreRejected() {
        assertThatThrownBy(() -> MemoryLinkConditions.PERFECT.withLoss(1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MemoryLinkConditions.PERFECT.withBandwidth(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MemoryLinkConditions.PERFECT.withLatency(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ManualClock().advance(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
    }
}
