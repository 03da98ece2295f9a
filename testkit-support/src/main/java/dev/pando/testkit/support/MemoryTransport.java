package dev.pando.testkit.support;

import dev.pando.ConfigurationException;
import dev.pando.ConnectionClosedException;
import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import dev.pando.UnsupportedAddressException;
import dev.pando.spi.Connection;
import dev.pando.spi.EventSink;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A {@link Transport} on a {@link MemoryNetwork}. Its one thread runs accept callbacks. */
final class MemoryTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryTransport.class);
    /** The same rule as the QUIC transports' preamble: a versioned, lowercase name. */
    static final Pattern PROTOCOL = Pattern.compile("[a-z0-9._-]+(/[a-z0-9._-]+)*/[0-9]+");
    static final int MAX_PROTOCOL_LENGTH = 200;
    /** The options this transport reads (see {@link MemoryNetwork#transport(TransportContext)}). */
    static final Set<String> OPTION_KEYS = Set.of("stream_timeout", "accept_queue", "stream_window");

    private enum State { NEW, STARTED, CLOSED }

    final MemoryNetwork network;
    final PublicKey id;
    final NetworkId networkId;
    final int index;
    final Duration streamTimeout;
    final int acceptQueue;
    final int streamWindow;
    /** Where PeerConnected/PeerDisconnected go; called under the network's lock, which orders them. */
    final EventSink events;
    private final Map<String, Consumer<Connection>> handlers = new ConcurrentHashMap<>();
    private final AtomicLong handlerFailures = new AtomicLong();
    private final Object lifecycle = new Object();
    private volatile State state = State.NEW;
    private volatile NodeAddress localAddress;
    private volatile ExecutorService callbacks;
    private volatile Thread callbackThread;

    MemoryTransport(MemoryNetwork network, TransportContext context, int index) {
        this.network = network;
        this.id = context.identity().publicKey();
        this.networkId = context.networkId();
        this.index = index;
        this.events = context.services().events();
        ProviderOptions options = context.options();
        Set<String> unknown = new TreeSet<>(options.asMap().keySet());
        unknown.removeAll(OPTION_KEYS);
        if (!unknown.isEmpty()) {
            throw new ConfigurationException("unknown memory transport option(s) " + unknown + "; known: " + new TreeSet<>(OPTION_KEYS));
        }
        this.streamTimeout = options.duration("stream_timeout", Duration.ofSeconds(30));
        this.acceptQueue = options.integer("accept_queue", 64);
        this.streamWindow = options.integer("stream_window", 256 * 1024);
        if (streamTimeout.isNegative() || streamTimeout.isZero()) {
            throw new ConfigurationException("option stream_timeout must be positive, got " + streamTimeout);
        }
        if (acceptQueue < 1) {
            throw new ConfigurationException("option accept_queue must be at least 1, got " + acceptQueue);
        }
        if (streamWindow < 1) {
            throw new ConfigurationException("option stream_window must be at least 1 byte, got " + streamWindow);
        }
    }

    static void checkProtocol(String protocol) {
        Objects.requireNonNull(protocol, "protocol");
        if (protocol.length() > MAX_PROTOCOL_LENGTH || !PROTOCOL.matcher(protocol).matches()) {
            throw new IllegalArgumentException("invalid protocol name \"" + protocol
                    + "\": expected lowercase segments ending in a version, e.g. pando/sync/1");
        }
    }

    @Override
    public void accept(String protocol, Consumer<Connection> handler) {
        checkProtocol(protocol);
        Objects.requireNonNull(handler, "handler");
        synchronized (lifecycle) {
            if (state != State.NEW) {
                throw new IllegalStateException("accept handlers must be registered before start()");
            }
            if (handlers.putIfAbsent(protocol, handler) != null) {
                throw new IllegalStateException("protocol " + protocol + " already has a handler");
            }
        }
    }

    Consumer<Connection> handler(String protocol) {
        return handlers.get(protocol);
    }

    @Override
    public void start() {
        synchronized (lifecycle) {
            if (state != State.NEW) {
                throw new IllegalStateException("transport already " + (state == State.STARTED ? "started" : "closed"));
            }
            String name = "pando-memory-" + id.hex().substring(0, 8);
            callbacks = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                callbackThread = t;
                return t;
            });
            InetSocketAddress address = network.register(this);
            localAddress = NodeAddress.direct(id, address);
            state = State.STARTED;
        }
    }

    @Override
    public NodeAddress localAddress() {
        NodeAddress a = localAddress;
        if (a == null) {
            throw new IllegalStateException("the transport has no address before start()");
        }
        return a;
    }

    boolean isClosed() {
        return state == State.CLOSED;
    }

    /** Any address with a direct address: the network maps socket addresses to its transports. */
    @Override
    public boolean supports(NodeAddress remote) {
        return !remote.directAddresses().isEmpty();
    }

    @Override
    public CompletableFuture<Connection> dial(NodeAddress remote, String protocol) {
        Objects.requireNonNull(remote, "remote");
        try {
            checkProtocol(protocol);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (remote.nodeId().equals(id)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("cannot dial this node's own id " + id.hex()));
        }
        if (!supports(remote)) {
            return CompletableFuture.failedFuture(new UnsupportedAddressException(
                    "the memory transport dials direct addresses only; " + remote.nodeId().hex() + " has none"));
        }
        if (state == State.NEW) {
            return CompletableFuture.failedFuture(new ConnectionClosedException("transport is not started"));
        }
        return network.dial(this, remote, protocol);
    }

    /** Runs an application callback on this transport's thread; inline once it has shut down. */
    void callback(Runnable task) {
        Runnable guarded = () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                // an application bug must not stop the delivery of later callbacks
                handlerFailures.incrementAndGet();
                LOG.debug("accept callback of node {} failed", id, e);
            }
        };
        ExecutorService ex = callbacks;
        try {
            if (ex == null) {
                guarded.run();
            } else {
                ex.execute(guarded);
            }
        } catch (RejectedExecutionException e) {
            guarded.run();
        }
    }

    /** How many accept callbacks threw (they are logged at debug and otherwise ignored). */
    long handlerFailures() {
        return handlerFailures.get();
    }

    @Override
    public void close() {
        ExecutorService ex;
        synchronized (lifecycle) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            ex = callbacks;
        }
        network.unregister(this);
        if (ex != null) {
            ex.shutdown();
            if (Thread.currentThread() != callbackThread) {
                try {
                    if (!ex.awaitTermination(5, TimeUnit.SECONDS)) {
                        ex.shutdownNow();
                    }
                } catch (InterruptedException e) {
                    ex.shutdownNow();
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Override
    public String toString() {
        return "MemoryTransport[" + id + ", " + state + "]";
    }
}
