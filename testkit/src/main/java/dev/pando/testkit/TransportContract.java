package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PandoException;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.UnsupportedAddressException;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderEvent;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.spi.TransportEvent.PeerConnected;
import dev.pando.spi.TransportEvent.PeerDisconnected;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link Transport} must show; extend it to check a transport. The subclass
 * creates unstarted transports ({@link #createTransport}); the contract registers its accept
 * handlers, starts them, and closes them after each test.
 *
 * <p>A transport that cannot pass a case lists it in {@link #knownLimitations()} with the measured
 * reason; the case is then reported as aborted (skipped) with that reason, never silently.
 * {@link #knownLimitationsAreExplained()} checks every reason cites a measurement.
 *
 * <p>Each case has an overall {@link Timeout}, so a stalling transport fails instead of hanging.
 */
public abstract class TransportContract {

    /** The cases of this contract, for {@link #knownLimitations()}. */
    public enum ContractCase {
        /** Dial, accept, echo; both ends see the right node ids and protocol. */
        DIAL_ACCEPT_ECHO,
        /** 50 streams at once on one connection, each echoed intact. */
        CONCURRENT_STREAMS,
        /** A 64 MiB writer halts (under half written) while nobody reads; then all arrives intact. */
        BACK_PRESSURE,
        /** The peer reads -1 after closeOutput and still answers the other way. */
        HALF_CLOSE,
        /** The remote transport closes: blocked read, writes and openStream fail with ConnectionClosedException. */
        PEER_VANISHES,
        /** An address claiming another node id: ProtocolViolationException. */
        WRONG_NODE_ID,
        /** A node of another network id: the dial fails with a ProtocolViolationException, no handler runs. */
        WRONG_NETWORK,
        /** A protocol the remote does not accept: ProtocolViolationException. */
        UNKNOWN_PROTOCOL,
        /** Closing a transport with busy streams fails them typed, is idempotent and leaves no thread. */
        CLOSE_WHILE_BUSY,
        /** Two protocols, a repeated dial and a dial back share one connection; one handler call each. */
        CONNECTION_REUSE,
        /** 10 concurrent dials to one node complete; one handler call. */
        DIAL_COALESCING,
        /**
         * Closing a Connection closes the peer's for that protocol (closed() completes, its streams
         * fail), from either side; other protocols stay open; a new dial runs the handler again.
         */
        CONNECTION_CLOSE,
        /** Reads and writes that make no progress fail with DeadlineExceededException. */
        DEADLINE,
        /** 10,000 request/response round trips of 1 KiB on one stream. */
        REQUEST_RESPONSE_LOAD,
        /** 64 MiB upload whose SHA-256 the receiver checks. */
        BULK_TRANSFER,
        /**
         * PeerConnected on both sides when the first dial completes (before the dial's future and
         * the accept handler), once however many protocols; PeerDisconnected on the closing side
         * before close() returns and on the other side promptly, whichever side closes.
         */
        LINK_EVENTS,
        /** supports() is true for a peer's address and false for an address without a part this transport dials; dialing that fails with UnsupportedAddressException. */
        SUPPORTS,
        /** Dialing this node's own id fails with IllegalArgumentException "cannot dial this node's own id <hex>", whatever the address. */
        DIAL_OWN_ID
    }

    /** Echoes every byte until the peer half-closes, then half-closes. */
    protected static final String ECHO = "pando/contract-echo/1";
    /** Hands incoming streams to the test untouched (nobody reads unless the test does). */
    protected static final String SINK = "pando/contract-sink/1";
    /** Reads to the end, then answers the byte count (8 bytes) and the SHA-256 (32 bytes). */
    protected static final String DIGEST = "pando/contract-digest/1";

    private static final Duration WAIT = Duration.ofSeconds(30);
    /**
     * How soon the far side must report a link down after the near side closed: far below any idle
     * timeout, so a transport must notice the peer's close rather than wait for silence.
     */
    private static final Duration LINK_DOWN_WAIT = Duration.ofSeconds(10);
    /**
     * A measurement: a count out of a total ("6 of 15", "2 out of 10", "1 in 20") or a number with
     * a unit ("30 s", "450ms", "0.5 %", "64 MiB", "3 runs", "12x"). A version number or a bare digit
     * ("kwik 0.10.8 stalls", "fails on JDK 17") is not one.
     */
    static final Pattern MEASUREMENT = Pattern.compile(
            "(?<![\\d.])\\d[\\d,]*(\\.\\d+)?\\s*(of|out of|in)\\s+\\d[\\d,]*(?![\\d.])"
                    + "|(?<![\\d.])\\d[\\d,]*(\\.\\d+)?\\s*(%|ns|µs|us|ms|s|sec|secs|seconds?|min|minutes?|h|hours?|B|bytes?|KiB|MiB|GiB"
                    + "|kB|KB|MB|GB|kbit/s|Mbit/s|MB/s|MiB/s|ops/s|x|×|runs?|times|trials?|streams?|round trips?|dials?)(?![\\w/])");

    private final List<Transport> transports = new CopyOnWriteArrayList<>();
    private final AtomicInteger helperThreads = new AtomicInteger();
    private ExecutorService pool;

    /**
     * A new, unstarted transport made from {@code context}: its identity, network and services
     * (whose event sink the contract watches) must be used as given; add the options the transport
     * needs, e.g. {@code provider.create(context.withOptions(ProviderOptions.of("bind",
     * "127.0.0.1:0")))}. Every call must give a transport that can be started next to the others.
     */
    protected abstract Transport createTransport(TransportContext context);

    /**
     * An address of the same node that this transport cannot dial at all ({@code supports} is
     * false). The default keeps only a relay URL ({@code https://relay.invalid/}), which a direct
     * transport cannot use; a relay transport overrides this (e.g. direct addresses only).
     */
    protected NodeAddress unsupportedAddress(NodeAddress real) {
        return new NodeAddress(real.nodeId(), List.of(), Optional.of(URI.create("https://relay.invalid/")));
    }

    /**
     * Cases this transport cannot pass, each with the measured reason (e.g. "stalled in 6 of 15
     * runs of 64 MiB on loopback"). Empty by default: every case must pass.
     */
    protected Map<ContractCase, String> knownLimitations() {
        return Map.of();
    }

    /**
     * An address that reaches the same node as {@code real} but claims another node id. The
     * default keeps the direct addresses and relay of {@code real}.
     */
    protected NodeAddress withNodeId(NodeAddress real, PublicKey claimed) {
        return new NodeAddress(claimed, real.directAddresses(), real.relayUrl());
    }

    /**
     * The number of physical connections {@code transport} has to {@code remote}, if the
     * transport can tell; used to check sharing. Default: unknown (only behaviour is checked).
     */
    protected OptionalInt physicalConnections(Transport transport, PublicKey remote) {
        return OptionalInt.empty();
    }

    /**
     * Whether a live thread belongs to the transport under test, for the leak check after
     * {@code close()}. By default every thread started during the test except the contract's own
     * helpers, JUnit's and Awaitility's, and the shared common pool.
     */
    protected boolean isTransportThread(Thread thread) {
        String name = thread.getName();
        return !(name.startsWith("contract-") || name.startsWith("ForkJoinPool.commonPool")
                || name.startsWith("junit-") || name.startsWith("awaitility")
                // NodeServices.system()'s shared threads belong to the JVM, not to a transport
                || name.equals("pando-scheduler") || name.startsWith("pando-executor-"));
    }

    // ---- fixture --------------------------------------------------------------------------------

    /** A started transport with the contract's handlers, and what they saw. */
    protected static final class Peer {
        public final PrivateKey key;
        public final Transport transport;
        /** Every connection handed to an accept handler, in order. */
        public final List<Connection> accepted = new CopyOnWriteArrayList<>();
        /** Streams accepted for {@link #SINK}, untouched. */
        public final BlockingQueue<DuplexStream> sinkStreams = new LinkedBlockingQueue<>();
        /** Every event the transport emitted, in order. */
        public final List<ProviderEvent> events;
        private final Map<String, AtomicInteger> handlerCalls = new ConcurrentHashMap<>();

        Peer(PrivateKey key, Transport transport, List<ProviderEvent> events) {
            this.key = key;
            this.transport = transport;
            this.events = events;
        }

        public PublicKey id() {
            return key.publicKey();
        }

        public NodeAddress address() {
            return transport.localAddress();
        }

        /** How often the accept handler of {@code protocol} ran. */
        public int handlerCalls(String protocol) {
            AtomicInteger n = handlerCalls.get(protocol);
            return n == null ? 0 : n.get();
        }
    }

    @BeforeEach
    void createPool() {
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "contract-" + helperThreads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @AfterEach
    void closeEverything() {
        for (Transport t : transports) {
            t.close();
        }
        transports.clear();
        pool.shutdownNow();
    }

    /** Creates, equips with the ECHO, SINK and DIGEST handlers, and starts a transport. */
    protected Peer startPeer(NetworkId network) {
        PrivateKey key = PrivateKey.generate();
        List<ProviderEvent> events = new CopyOnWriteArrayList<>();
        Transport transport = createTransport(new TransportContext(key, network, ProviderOptions.empty(),
                NodeServices.system().withEvents(events::add)));
        transports.add(transport);
        Peer peer = new Peer(key, transport, events);
        transport.accept(ECHO, c -> onAccept(peer, c, s -> pool.execute(() -> echo(s))));
        transport.accept(SINK, c -> onAccept(peer, c, peer.sinkStreams::add));
        transport.accept(DIGEST, c -> onAccept(peer, c, s -> pool.execute(() -> digest(s))));
        transport.start();
        return peer;
    }

    protected Peer startPeer() {
        return startPeer(NetworkId.DEFAULT);
    }

    private void onAccept(Peer peer, Connection c, java.util.function.Consumer<DuplexStream> onStream) {
        peer.handlerCalls.computeIfAbsent(c.protocol(), p -> new AtomicInteger()).incrementAndGet();
        peer.accepted.add(c);
        acceptLoop(c, onStream);
    }

    private static void acceptLoop(Connection c, java.util.function.Consumer<DuplexStream> onStream) {
        c.acceptStream().whenComplete((s, error) -> {
            if (error == null) {
                onStream.accept(s);
                acceptLoop(c, onStream);
            }
        });
    }

    private static void echo(DuplexStream s) {
        byte[] buf = new byte[32 * 1024];
        try {
            int n;
            while ((n = s.read(buf, 0, buf.length)) >= 0) {
                s.write(buf, 0, n);
                s.flush();
            }
            s.closeOutput();
        } catch (PandoException e) {
            s.abort();
        }
    }

    private static void digest(DuplexStream s) {
        MessageDigest sha = sha256();
        byte[] buf = new byte[64 * 1024];
        long count = 0;
        try {
            int n;
            while ((n = s.read(buf, 0, buf.length)) >= 0) {
                sha.update(buf, 0, n);
                count += n;
            }
            s.write(ByteBuffer.allocate(8).putLong(count).array());
            s.write(sha.digest());
            s.closeOutput();
        } catch (PandoException e) {
            s.abort();
        }
    }

    /** Aborts the running case with the listed reason, if the transport lists one. */
    private void limitation(ContractCase c) {
        String reason = knownLimitations().get(c);
        if (reason != null) {
            Assumptions.abort("known limitation of this transport (" + c + "): " + reason);
        }
    }

    /** Fills {@code chunk} (a multiple of 8 bytes long) with the next bytes of {@code r}. */
    private static void fillRandom(byte[] chunk, SplittableRandom r) {
        for (int i = 0; i < chunk.length; i += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8; j++) {
                chunk[i + j] = (byte) (v >>> (8 * j));
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static <T> T get(Future<T> f) {
        try {
            return f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new AssertionError(e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no result within " + WAIT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The failure of a future that must fail. */
    private static Throwable failure(CompletableFuture<?> f) {
        try {
            Object value = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("neither result nor failure within " + WAIT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static byte[] readAll(DuplexStream s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[16 * 1024];
        int n;
        while ((n = s.read(buf, 0, buf.length)) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static byte[] randomBytes(long seed, int length) {
        byte[] b = new byte[length];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    // ---- the contract ---------------------------------------------------------------------------

    @Test
    @Timeout(10)
    void knownLimitationsAreExplained() {
        knownLimitations().forEach((c, reason) -> {
            assertThat(reason).as("reason for %s", c).isNotBlank();
            assertThat(MEASUREMENT.matcher(reason).find())
                    .as("the reason for %s must cite a measurement: a count out of a total (\"stalled in 6 of 15 runs\") "
                            + "or a number with a unit (\"took 450 ms\", \"0.5 %% loss\"), not just any digit: %s", c, reason)
                    .isTrue();
        });
    }

    @Test
    @Timeout(60)
    void linksAreReportedUpOnceAndDownPromptlyWhenTheDialedNodeCloses() {
        limitation(ContractCase.LINK_EVENTS);
        Peer server = startPeer();
        Peer client = startPeer();

        get(client.transport.dial(server.address(), ECHO));
        // the dialer knows before its dial completes
        assertThat(client.events).containsExactly(new PeerConnected(server.id()));
        await().atMost(WAIT).until(() -> server.handlerCalls(ECHO) == 1);
        // the accepting side knows before its handler runs
        assertThat(server.events).containsExactly(new PeerConnected(client.id()));
        // more protocols and streams over the same link report nothing new
        DuplexStream s = get(get(client.transport.dial(server.address(), DIGEST)).openStream());
        s.closeOutput();
        readAll(s);
        await().atMost(WAIT).until(() -> server.handlerCalls(DIGEST) == 1);
        assertThat(client.events).hasSize(1);
        assertThat(server.events).hasSize(1);

        server.transport.close();
        assertThat(server.events).as("events of the closing side when close() returned")
                .containsExactly(new PeerConnected(client.id()), new PeerDisconnected(client.id()));
        await().atMost(LINK_DOWN_WAIT).untilAsserted(() -> assertThat(client.events)
                .as("events of the side whose peer closed")
                .containsExactly(new PeerConnected(server.id()), new PeerDisconnected(server.id())));
    }

    @Test
    @Timeout(60)
    void linksAreReportedDownPromptlyWhenTheDialerCloses() {
        limitation(ContractCase.LINK_EVENTS);
        Peer server = startPeer();
        Peer client = startPeer();
        Peer other = startPeer();

        get(client.transport.dial(server.address(), ECHO));
        get(other.transport.dial(server.address(), ECHO));
        await().atMost(WAIT).until(() -> server.handlerCalls(ECHO) == 2);
        assertThat(server.events).containsExactlyInAnyOrder(new PeerConnected(client.id()), new PeerConnected(other.id()));

        client.transport.close();
        assertThat(client.events).containsExactly(new PeerConnected(server.id()), new PeerDisconnected(server.id()));
        await().atMost(LINK_DOWN_WAIT).untilAsserted(() -> assertThat(server.events)
                .containsExactlyInAnyOrder(new PeerConnected(client.id()), new PeerConnected(other.id()),
                        new PeerDisconnected(client.id())));
        // the server's link to the other node is untouched
        DuplexStream s = get(get(other.transport.dial(server.address(), ECHO)).openStream());
        s.write(new byte[] {5});
        s.closeOutput();
        assertThat(readAll(s)).containsExactly(5);
        assertThat(server.events).hasSize(3);
        assertThat(other.events).containsExactly(new PeerConnected(server.id()));
    }

    @Test
    @Timeout(60)
    void supportsTellsWhichAddressesCanBeDialedAtAll() {
        limitation(ContractCase.SUPPORTS);
        Peer server = startPeer();
        Peer client = startPeer();
        NodeAddress unsupported = unsupportedAddress(server.address());

        assertThat(client.transport.supports(server.address())).isTrue();
        assertThat(client.transport.supports(unsupported)).isFalse();
        Throwable t = failure(client.transport.dial(unsupported, ECHO));
        assertThat(t).isInstanceOf(UnsupportedAddressException.class);
        assertThat(client.events).isEmpty();

        // typed the same way when a connection to that node is open
        get(client.transport.dial(server.address(), ECHO));
        assertThat(failure(client.transport.dial(unsupported, DIGEST))).isInstanceOf(UnsupportedAddressException.class);
        assertThat(server.handlerCalls(DIGEST)).isZero();
    }

    @Test
    @Timeout(60)
    void dialingThisNodesOwnIdFailsAsAnIllegalArgument() {
        limitation(ContractCase.DIAL_OWN_ID);
        Peer server = startPeer();
        Peer client = startPeer();
        String expected = "cannot dial this node's own id " + client.id().hex();

        for (NodeAddress self : List.of(client.address(), withNodeId(server.address(), client.id()),
                unsupportedAddress(client.address()))) {
            Throwable t = failure(client.transport.dial(self, ECHO));
            assertThat(t).as("dialing %s", self).isInstanceOf(IllegalArgumentException.class).hasMessage(expected);
        }
        assertThat(server.handlerCalls(ECHO)).isZero();
        assertThat(client.events).isEmpty();
    }

    @Test
    @Timeout(60)
    void dialAcceptAndEcho() {
        limitation(ContractCase.DIAL_ACCEPT_ECHO);
        Peer server = startPeer();
        Peer client = startPeer();

        Connection c = get(client.transport.dial(server.address(), ECHO));
        assertThat(c.remoteNodeId()).isEqualTo(server.id());
        assertThat(c.protocol()).isEqualTo(ECHO);
        assertThat(c.isOpen()).isTrue();

        DuplexStream s = get(c.openStream());
        byte[] hello = "hello, pando".getBytes(StandardCharsets.UTF_8);
        s.write(hello);
        s.flush();
        s.closeOutput();
        assertThat(readAll(s)).isEqualTo(hello);

        await().atMost(WAIT).until(() -> server.accepted.size() == 1);
        Connection accepted = server.accepted.get(0);
        assertThat(accepted.remoteNodeId()).isEqualTo(client.id());
        assertThat(accepted.protocol()).isEqualTo(ECHO);
        assertThat(server.handlerCalls(ECHO)).isEqualTo(1);
    }

    @Test
    @Timeout(120)
    void manyConcurrentStreamsOnOneConnection() {
        limitation(ContractCase.CONCURRENT_STREAMS);
        Peer server = startPeer();
        Peer client = startPeer();
        Connection c = get(client.transport.dial(server.address(), ECHO));

        int streams = 50;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<byte[]>> results = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            byte[] payload = randomBytes(i, 4096 + i);
            results.add(pool.submit(() -> {
                go.await();
                DuplexStream s = get(c.openStream());
                s.write(payload);
                s.flush();
                s.closeOutput();
                return readAll(s);
            }));
        }
        go.countDown();
        for (int i = 0; i < streams; i++) {
            assertThat(get(results.get(i))).as("echo of stream %d", i).isEqualTo(randomBytes(i, 4096 + i));
        }
        assertThat(server.handlerCalls(ECHO)).isEqualTo(1);
    }

    @Test
    @Timeout(180)
    void writerBlocksWhileTheReaderLags() throws Exception {
        limitation(ContractCase.BACK_PRESSURE);
        Peer server = startPeer();
        Peer client = startPeer();
        Connection c = get(client.transport.dial(server.address(), SINK));
        DuplexStream out = get(c.openStream());

        long total = 64L * 1024 * 1024;
        AtomicLong written = new AtomicLong();
        MessageDigest sent = sha256();
        Future<?> writer = pool.submit(() -> {
            byte[] chunk = new byte[16 * 1024];
            SplittableRandom r = new SplittableRandom(7);
            for (long done = 0; done < total; done += chunk.length) {
                fillRandom(chunk, r);
                sent.update(chunk);
                out.write(chunk);
                written.addAndGet(chunk.length);
            }
            out.flush();
            out.closeOutput();
            return null;
        });
        // the sink reads nothing yet; the stream must reach the server as soon as data flows
        DuplexStream in = server.sinkStreams.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(in).as("the server accepted the stream").isNotNull();

        // the writer must come to a halt: the same count at two polls 250 ms apart
        AtomicLong lastSeen = new AtomicLong(-1);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    long w = written.get();
                    return w > 0 && lastSeen.getAndSet(w) == w;
                });
        assertThat(writer.isDone()).as("writer finished although nobody read").isFalse();
        assertThat(written.get()).as("bytes accepted by write() while the reader read nothing").isLessThan(total / 2);

        // now read: slowly at first, then at full speed
        MessageDigest received = sha256();
        byte[] buf = new byte[64 * 1024];
        long read = 0;
        for (int i = 0; i < 16; i++) {
            int n = in.read(buf, 0, 1024);
            assertThat(n).isPositive();
            received.update(buf, 0, n);
            read += n;
        }
        assertThat(writer.isDone()).as("writer finished while the reader had read %d bytes", read).isFalse();
        int n;
        while ((n = in.read(buf, 0, buf.length)) >= 0) {
            received.update(buf, 0, n);
            read += n;
        }
        get(writer);
        assertThat(read).isEqualTo(total);
        assertThat(received.digest()).isEqualTo(sent.digest());
    }

    @Test
    @Timeout(60)
    void halfCloseLetsThePeerAnswerAfterEndOfStream() {
        limitation(ContractCase.HALF_CLOSE);
        Peer server = startPeer();
        Peer client = startPeer();
        Connection c = get(client.transport.dial(server.address(), DIGEST));
        DuplexStream s = get(c.openStream());

        byte[] data = randomBytes(3, 100_000);
        s.write(data);
        s.flush();
        s.closeOutput();
        // the server saw -1 (it only answers after end of stream) and still writes to us
        byte[] answer = new byte[40];
        s.readFully(answer, 0, answer.length);
        assertThat(ByteBuffer.wrap(answer, 0, 8).getLong()).isEqualTo(data.length);
        assertThat(Arrays.copyOfRange(answer, 8, 40)).isEqualTo(sha256().digest(data));
        assertThat(s.read(new byte[1], 0, 1)).isEqualTo(-1);
        assertThat(s.read(new byte[1], 0, 1)).as("end of stream stays").isEqualTo(-1);
    }

    @Test
    @Timeout(60)
    void peerVanishingFailsReadsAndWritesWithConnectionClosed() throws Exception {
        limitation(ContractCase.PEER_VANISHES);
        Peer server = startPeer();
        Peer client = startPeer();
        Connection c = get(client.transport.dial(server.address(), SINK));
        DuplexStream s = get(c.openStream());
        s.timeout(Duration.ofSeconds(20));
        s.write(new byte[] {1, 2, 3});
        s.flush();
        assertThat(server.sinkStreams.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();

        Future<Integer> blockedRead = pool.submit(() -> s.read(new byte[16], 0, 16));
        server.transport.close();

        assertThatThrownBy(() -> get(blockedRead)).isInstanceOf(ConnectionClosedException.class);
        get(c.closed().toCompletableFuture());
        assertThat(c.isOpen()).isFalse();
        // a write may still be buffered locally for a moment, but must fail soon and typed
        byte[] chunk = new byte[16 * 1024];
        assertThatThrownBy(() -> {
            for (int i = 0; i < 100_000; i++) {
                s.write(chunk);
                s.flush();
            }
        }).isInstanceOf(ConnectionClosedException.class);
        assertThatThrownBy(() -> get(c.openStream())).isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    @Timeout(60)
    void wrongNodeIdFailsTheDial() {
        limitation(ContractCase.WRONG_NODE_ID);
        Peer server = startPeer();
        Peer client = startPeer();
        PublicKey impostor = PrivateKey.generate().publicKey();

        Throwable t = failure(client.transport.dial(withNodeId(server.address(), impostor), ECHO));
        assertThat(t).isInstanceOf(ProtocolViolationException.class);
        assertThat(server.handlerCalls(ECHO)).isZero();
        // the right id still works afterwards
        Connection ok = get(client.transport.dial(server.address(), ECHO));
        assertThat(ok.remoteNodeId()).isEqualTo(server.id());
    }

    @Test
    @Timeout(60)
    void closingAConnectionClosesThePeersEnd() throws Exception {
        limitation(ContractCase.CONNECTION_CLOSE);
        Peer server = startPeer();
        Peer client = startPeer();
        Connection echo = get(client.transport.dial(server.address(), ECHO));
        Connection sink = get(client.transport.dial(server.address(), SINK));
        DuplexStream held = get(sink.openStream());
        held.write(new byte[] {7});
        held.flush();
        DuplexStream serverStream = server.sinkStreams.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(serverStream).as("the sink stream reached the server").isNotNull();
        assertThat(serverStream.read(new byte[1], 0, 1)).isEqualTo(1);
        Connection serverSink = server.accepted.stream().filter(c -> c.protocol().equals(SINK)).findFirst().orElseThrow();

        sink.close();
        get(serverSink.closed().toCompletableFuture());
        assertThat(serverSink.isOpen()).isFalse();
        assertThatThrownBy(() -> serverStream.read(new byte[1], 0, 1)).isInstanceOf(PandoException.class);
        assertThat(failure(serverSink.openStream())).isInstanceOf(ConnectionClosedException.class);
        // the other protocol to the same node is untouched
        assertThat(echo.isOpen()).isTrue();
        byte[] data = randomBytes(21, 1_000);
        DuplexStream e = get(echo.openStream());
        e.write(data);
        e.closeOutput();
        assertThat(readAll(e)).isEqualTo(data);

        // dialing the closed protocol again makes a new connection and runs the handler again
        Connection again = get(client.transport.dial(server.address(), SINK));
        assertThat(again).isNotSameAs(sink);
        assertThat(again.isOpen()).isTrue();
        DuplexStream s = get(again.openStream());
        s.write(new byte[] {8});
        s.flush();
        DuplexStream second = server.sinkStreams.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(second).as("a stream of the new connection reached the server").isNotNull();
        assertThat(server.handlerCalls(SINK)).isEqualTo(2);

        // the accepting side can close too: the dialer's end closes
        Connection serverAgain = server.accepted.stream().filter(c -> c.protocol().equals(SINK) && c != serverSink)
                .findFirst().orElseThrow();
        serverAgain.close();
        get(again.closed().toCompletableFuture());
        assertThat(failure(again.openStream())).isInstanceOf(ConnectionClosedException.class);
        assertThat(echo.isOpen()).isTrue();
    }

    @Test
    @Timeout(60)
    void nodesOfDifferentNetworksCannotConnect() {
        limitation(ContractCase.WRONG_NETWORK);
        Peer server = startPeer(NetworkId.named("contract-network-b"));
        Peer client = startPeer(NetworkId.named("contract-network-a"));

        Throwable t = failure(client.transport.dial(server.address(), ECHO));
        // typed, not a timeout: the dialer must learn it reached another network
        assertThat(t).isInstanceOf(ProtocolViolationException.class);
        assertThat(server.handlerCalls(ECHO)).isZero();
        assertThat(server.accepted).isEmpty();
    }

    @Test
    @Timeout(60)
    void unknownProtocolFailsTheDial() {
        limitation(ContractCase.UNKNOWN_PROTOCOL);
        Peer server = startPeer();
        Peer client = startPeer();

        Throwable t = failure(client.transport.dial(server.address(), "pando/contract-nobody/1"));
        assertThat(t).isInstanceOf(ProtocolViolationException.class);
        // a known protocol to the same node still works
        DuplexStream s = get(get(client.transport.dial(server.address(), ECHO)).openStream());
        s.write(new byte[] {42});
        s.closeOutput();
        assertThat(readAll(s)).containsExactly(42);
    }

    @Test
    @Timeout(120)
    void closingWhileBusyFailsEverythingTypedAndLeavesNoThread() throws Exception {
        limitation(ContractCase.CLOSE_WHILE_BUSY);
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        Peer server = startPeer();
        Peer client = startPeer();
        Connection c = get(client.transport.dial(server.address(), ECHO));

        List<Future<?>> workers = new ArrayList<>();
        CountDownLatch flowing = new CountDownLatch(4);
        for (int i = 0; i < 4; i++) {
            DuplexStream s = get(c.openStream());
            s.timeout(Duration.ofSeconds(20));
            workers.add(pool.submit(() -> {
                byte[] chunk = new byte[8 * 1024];
                byte[] back = new byte[chunk.length];
                boolean first = true;
                while (true) {
                    s.write(chunk);
                    s.flush();
                    s.readFully(back, 0, back.length);
                    if (first) {
                        flowing.countDown();
                        first = false;
                    }
                }
            }));
        }
        assertThat(flowing.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("all streams transferring").isTrue();

        client.transport.close();
        client.transport.close(); // idempotent

        for (Future<?> w : workers) {
            assertThatThrownBy(() -> get(w)).isInstanceOf(ConnectionClosedException.class);
        }
        assertThat(c.isOpen()).isFalse();
        assertThatThrownBy(() -> get(client.transport.dial(server.address(), ECHO)))
                .isInstanceOf(ConnectionClosedException.class);

        server.transport.close();
        pool.shutdownNow();
        await().atMost(WAIT).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t) && isTransportThread(t))
                .map(Thread::getName)
                .collect(Collectors.toList()))
                .as("threads left behind after close()")
                .isEmpty());
    }

    @Test
    @Timeout(60)
    void protocolsShareOneConnectionInBothDirections() throws Exception {
        limitation(ContractCase.CONNECTION_REUSE);
        Peer server = startPeer();
        Peer client = startPeer();

        Connection echo = get(client.transport.dial(server.address(), ECHO));
        Connection digest = get(client.transport.dial(server.address(), DIGEST));
        Connection again = get(client.transport.dial(server.address(), ECHO));
        // the server dials back over the same connection
        Connection back = get(server.transport.dial(client.address(), ECHO));

        byte[] data = randomBytes(11, 200_000);
        Future<byte[]> viaEcho = pool.submit(() -> {
            DuplexStream s = get(echo.openStream());
            s.write(data);
            s.closeOutput();
            return readAll(s);
        });
        Future<byte[]> viaAgain = pool.submit(() -> {
            DuplexStream s = get(again.openStream());
            s.write(data);
            s.closeOutput();
            return readAll(s);
        });
        Future<byte[]> viaBack = pool.submit(() -> {
            DuplexStream s = get(back.openStream());
            s.write(data);
            s.closeOutput();
            return readAll(s);
        });
        Future<byte[]> viaDigest = pool.submit(() -> {
            DuplexStream s = get(digest.openStream());
            s.write(data);
            s.closeOutput();
            return readAll(s);
        });
        assertThat(get(viaEcho)).isEqualTo(data);
        assertThat(get(viaAgain)).isEqualTo(data);
        assertThat(get(viaBack)).isEqualTo(data);
        assertThat(Arrays.copyOfRange(get(viaDigest), 8, 40)).isEqualTo(sha256().digest(data));

        assertThat(server.handlerCalls(ECHO)).as("accept handler once per (peer, protocol)").isEqualTo(1);
        assertThat(server.handlerCalls(DIGEST)).isEqualTo(1);
        assertThat(client.handlerCalls(ECHO)).isEqualTo(1);
        physicalConnections(client.transport, server.id()).ifPresent(n -> assertThat(n).isEqualTo(1));
        physicalConnections(server.transport, client.id()).ifPresent(n -> assertThat(n).isEqualTo(1));
    }

    @Test
    @Timeout(60)
    void concurrentDialsCoalesce() throws Exception {
        limitation(ContractCase.DIAL_COALESCING);
        Peer server = startPeer();
        Peer client = startPeer();

        CountDownLatch go = new CountDownLatch(1);
        List<Future<Connection>> dials = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            dials.add(pool.submit(() -> {
                go.await();
                return get(client.transport.dial(server.address(), ECHO));
            }));
        }
        go.countDown();
        for (Future<Connection> d : dials) {
            Connection c = get(d);
            assertThat(c.remoteNodeId()).isEqualTo(server.id());
            DuplexStream s = get(c.openStream());
            s.write(new byte[] {7});
            s.closeOutput();
            assertThat(readAll(s)).containsExactly(7);
        }
        assertThat(server.handlerCalls(ECHO)).isEqualTo(1);
        physicalConnections(client.transport, server.id()).ifPresent(n -> assertThat(n).isEqualTo(1));
    }

    @Test
    @Timeout(60)
    void readsAndWritesFailAfterTheirDeadline() {
        limitation(ContractCase.DEADLINE);
        Peer server = startPeer();
        Peer client = startPeer();
        Connection c = get(client.transport.dial(server.address(), SINK));
        DuplexStream s = get(c.openStream());
        s.timeout(Duration.ofMillis(300));
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(300));

        assertThatThrownBy(() -> s.read(new byte[16], 0, 16)).isInstanceOf(DeadlineExceededException.class);

        // nobody reads the sink: some write must eventually wait for window and time out
        byte[] chunk = new byte[64 * 1024];
        assertThatThrownBy(() -> {
            for (int i = 0; i < 8 * 1024; i++) { // at most 512 MiB
                s.write(chunk);
            }
        }).isInstanceOf(DeadlineExceededException.class);
    }

    @Test
    @Timeout(300)
    void tenThousandRequestResponseRoundTrips() {
        limitation(ContractCase.REQUEST_RESPONSE_LOAD);
        Peer server = startPeer();
        Peer client = startPeer();
        DuplexStream s = get(get(client.transport.dial(server.address(), ECHO)).openStream());

        byte[] request = new byte[1024];
        byte[] response = new byte[1024];
        for (int i = 0; i < 10_000; i++) {
            ByteBuffer.wrap(request).putInt(0, i);
            s.write(request);
            s.flush();
            s.readFully(response, 0, response.length);
            if (ByteBuffer.wrap(response).getInt(0) != i) {
                fail("round trip " + i + " got the answer to " + ByteBuffer.wrap(response).getInt(0));
            }
        }
        s.closeOutput();
        assertThat(s.read(response, 0, 1)).isEqualTo(-1);
    }

    @Test
    @Timeout(300)
    void sixtyFourMebibytesArriveIntact() {
        limitation(ContractCase.BULK_TRANSFER);
        Peer server = startPeer();
        Peer client = startPeer();
        DuplexStream s = get(get(client.transport.dial(server.address(), DIGEST)).openStream());

        long total = 64L * 1024 * 1024;
        MessageDigest sent = sha256();
        byte[] chunk = new byte[64 * 1024];
        SplittableRandom r = new SplittableRandom(64);
        for (long done = 0; done < total; done += chunk.length) {
            fillRandom(chunk, r);
            sent.update(chunk);
            s.write(chunk);
        }
        s.flush();
        s.closeOutput();
        byte[] answer = new byte[40];
        s.readFully(answer, 0, 40);
        assertThat(ByteBuffer.wrap(answer, 0, 8).getLong()).isEqualTo(total);
        assertThat(Arrays.copyOfRange(answer, 8, 40)).as("SHA-256 computed by the receiver").isEqualTo(sent.digest());
    }
}
