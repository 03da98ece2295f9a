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
 * What the transport contracts share: the subclass's hooks ({@link #createTransport} and the
 * optional ones), started peers with the contracts' handlers, and their clean-up after each test.
 * Extend {@link TransportContract} (the functional contract, every case must pass) and {@link
 * TransportLoadContract} (sustained load, measured; run under the JUnit tag {@code load}), not this
 * class.
 */
public abstract class TransportFixture {

    TransportFixture() {
        // only the contracts of this package extend it
    }

    /** Echoes every byte until the peer half-closes, then half-closes. */
    protected static final String ECHO = "pando/contract-echo/1";
    /** Hands incoming streams to the test untouched (nobody reads unless the test does). */
    protected static final String SINK = "pando/contract-sink/1";
    /** Reads to the end, then answers the byte count (8 bytes) and the SHA-256 (32 bytes). */
    protected static final String DIGEST = "pando/contract-digest/1";

    static final Duration WAIT = Duration.ofSeconds(30);
    /**
     * How soon the far side must report a link down after the near side closed: far below any idle
     * timeout, so a transport must notice the peer's close rather than wait for silence.
     */
    static final Duration LINK_DOWN_WAIT = Duration.ofSeconds(10);

    final List<Transport> transports = new CopyOnWriteArrayList<>();
    private final AtomicInteger helperThreads = new AtomicInteger();
    ExecutorService pool;

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
        /**
         * Every link event ({@link dev.pando.spi.TransportEvent}) the transport emitted, in order;
         * other events a transport may report (a relay transport's {@link dev.pando.spi.RelayEvent})
         * are not part of the contract and are left out.
         */
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
                NodeServices.system().withEvents(e -> {
                    if (e instanceof dev.pando.spi.TransportEvent) {
                        events.add(e);
                    }
                })));
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

    static void echo(DuplexStream s) {
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

    static void digest(DuplexStream s) {
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


    /** Fills {@code chunk} (a multiple of 8 bytes long) with the next bytes of {@code r}. */
    static void fillRandom(byte[] chunk, SplittableRandom r) {
        for (int i = 0; i < chunk.length; i += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8; j++) {
                chunk[i + j] = (byte) (v >>> (8 * j));
            }
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    static <T> T get(Future<T> f) {
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
    static Throwable failure(CompletableFuture<?> f) {
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

    static byte[] readAll(DuplexStream s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[16 * 1024];
        int n;
        while ((n = s.read(buf, 0, buf.length)) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    static byte[] randomBytes(long seed, int length) {
        byte[] b = new byte[length];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < length; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }
}
