package dev.pando.transport.quic.netty;

import dev.pando.ConfigurationException;
import dev.pando.ConnectionClosedException;
import dev.pando.NodeAddress;
import dev.pando.PandoException;
import dev.pando.PublicKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProtocolNames;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.transport.quic.core.CloseCode;
import dev.pando.transport.quic.core.NodeCertificate;
import dev.pando.transport.quic.core.QuicOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.quic.Quic;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "quic-netty" transport: a QUIC server codec for incoming connections and a client codec for
 * outgoing ones, on the channels of a {@link DatagramPath} (two UDP sockets for the "quic-netty"
 * provider, a relay tunnel for "relay"), one event loop group, the Pando QUIC wire scheme on top.
 *
 * <p>This class keeps the lifecycle ({@code accept}, {@code start}, {@code close}), the SPI
 * surface and the wiring; the work is done by package-private collaborators: the
 * {@link Endpoint} (certificate, event loops, codecs, sockets), the {@link Callbacks} thread, the
 * {@link PeerTable} (lifecycle state, links and peers, under the transport's one lock), the
 * {@link Dialer} and the {@link ControlExchange} (OPEN_CONNECTION / CLOSE_CONNECTION, streams).
 * The channel handlers and connections call in through the package-private methods below.
 *
 * <p>Threads: {@code io_threads} Netty event loop threads ("pando-quic-netty-io-N") do all
 * network work; one callback thread ("pando-quic-netty-callbacks") completes the futures handed to
 * callers and runs accept handlers, so caller code never runs on (and never stalls) an event loop
 * (a caller already blocked in {@code get()} on a dial or openStream future may be woken directly
 * by the event loop instead: {@link HandOverFuture}). Blocking stream I/O happens on the caller's
 * threads. Link events (PeerConnected/PeerDisconnected) are emitted under the transport's lock, on
 * the event loop that authenticated or lost the link, or on the thread calling {@code close()}.
 */
final class QuicNettyTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(QuicNettyTransport.class);

    private final DatagramPath path;
    private final PublicKey self;
    private final Map<String, Consumer<Connection>> acceptors = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();

    private final PeerTable table;
    private final Callbacks callbacks = new Callbacks();
    private final Endpoint endpoint;
    private final ControlExchange exchange;
    private final Dialer dialer;

    QuicNettyTransport(TransportContext context, QuicOptions options, DatagramPath path) {
        this.path = path;
        this.self = context.identity().publicKey();
        this.table = new PeerTable(this, options, context.services().events(), self);
        this.endpoint = new Endpoint(this, context, options, path, callbacks);
        this.exchange = new ControlExchange(this, options, table, acceptors);
        this.dialer = new Dialer(this, context, options, path, self, table, exchange, endpoint);
        path.onUnreachable(dialer::unreachable);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void accept(String protocol, Consumer<Connection> handler) {
        ProtocolNames.validate(protocol);
        Objects.requireNonNull(handler, "handler");
        synchronized (table.lock) {
            if (table.state != PeerTable.State.NEW) {
                throw new IllegalStateException("accept handlers must be registered before start()");
            }
            if (acceptors.putIfAbsent(protocol, handler) != null) {
                throw new IllegalStateException("protocol " + protocol + " already has an accept handler");
            }
        }
    }

    @Override
    public void start() {
        synchronized (table.lock) {
            if (table.state != PeerTable.State.NEW) {
                throw new IllegalStateException("transport was already " + (table.state == PeerTable.State.STARTED ? "started" : "closed"));
            }
            if (!Quic.isAvailable()) {
                throw new ConfigurationException("Netty's native QUIC is not available (is the module of this platform, e.g. "
                        + "io.netty.codec.quic.linux.x86_64, on the module path and added with --add-modules?): " + Quic.unavailabilityCause(),
                        Quic.unavailabilityCause());
            }
            try {
                endpoint.start(self);
                table.state = PeerTable.State.STARTED;
            } catch (RuntimeException e) {
                endpoint.release();
                table.state = PeerTable.State.CLOSED;
                throw e;
            }
        }
        LOG.debug("quic-netty transport of {} listening on {}", self.hex(), endpoint.localAddress().toText());
    }

    @Override
    public NodeAddress localAddress() {
        NodeAddress a = endpoint.localAddress();
        if (a == null) {
            throw new IllegalStateException("transport is not started");
        }
        return a;
    }

    /**
     * Closes every connection and both sockets and waits for the transport's threads to end.
     *
     * @throws IllegalStateException if called on one of the transport's event loop threads
     */
    @Override
    public void close() {
        EventLoopGroup g = endpoint.group();
        if (g != null) {
            for (io.netty.util.concurrent.EventExecutor e : g) {
                if (e.inEventLoop()) {
                    throw new IllegalStateException("close() on a transport thread would wait for itself");
                }
            }
        }
        PeerTable.Snapshot taken = table.closeAll();
        if (taken == null) {
            return;
        }
        ConnectionClosedException closed = new ConnectionClosedException("transport closed");
        for (QuicNettyConnection c : taken.connections()) {
            c.shutDown("transport closed");
        }
        for (CompletableFuture<QuicLink> d : taken.dials()) {
            d.completeExceptionally(closed);
        }
        List<ChannelFuture> closing = new ArrayList<>();
        for (QuicLink l : taken.links()) {
            QuicChannel ch = l.channel;
            if (ch != null && ch.isOpen()) {
                closing.add(ch.close(true, CloseCode.NORMAL.code(), Unpooled.copiedBuffer("shutdown", StandardCharsets.US_ASCII)));
            }
        }
        for (ChannelFuture f : closing) {
            // CONNECTION_CLOSE frames go out before the sockets close; do not wait long for them
            f.awaitUninterruptibly(500, TimeUnit.MILLISECONDS);
        }
        endpoint.release();
        LOG.debug("quic-netty transport of {} closed", self.hex());
    }

    // ---------------------------------------------------------------- SPI

    @Override
    public CompletableFuture<Connection> dial(NodeAddress remote, String protocol) {
        return dialer.dial(remote, protocol);
    }

    /** The datagram path (for tests). */
    DatagramPath path() {
        return path;
    }

    /** Whether this transport's datagram path can reach some part of {@code remote} (see {@link DatagramPath#supports}). */
    @Override
    public boolean supports(NodeAddress remote) {
        return path.supports(remote);
    }

    // ---------------------------------------------------------------- from handlers and connections

    /** A link this node accepted became active ({@link LinkHandler}, event loop). */
    void acceptedLinkActive(QuicLink link) {
        table.acceptedLinkActive(link);
    }

    /** See {@link PeerTable#registerLink}. */
    String registerLink(QuicLink link, PublicKey remote) {
        return table.registerLink(link, remote);
    }

    void closeLink(QuicLink link, CloseCode code, String reason) {
        PeerTable.closeLink(link, code, reason);
    }

    void linkFailed(QuicLink link, Throwable cause) {
        table.linkFailed(link, cause);
    }

    void linkClosed(QuicLink link) {
        table.linkClosed(link);
    }

    void streamCreditChanged(QuicLink link) {
        exchange.streamCreditChanged(link);
    }

    /** See {@link ControlExchange#openConnectionRequested}. */
    boolean openConnectionRequested(QuicLink link, String protocol) {
        return exchange.openConnectionRequested(link, protocol);
    }

    /** See {@link ControlExchange#incomingStream}. */
    void incomingStream(QuicLink link, String protocol, QuicStreamChannel ch, ChannelHandler preambleHandler, ByteBuf leftover) {
        exchange.incomingStream(link, protocol, ch, preambleHandler, leftover);
    }

    /** See {@link ControlExchange#closeRequested}. */
    void closeRequested(QuicLink link, String protocol) {
        exchange.closeRequested(link, protocol);
    }

    /** See {@link ControlExchange#forget}. */
    void forget(QuicNettyConnection connection) {
        exchange.forget(connection);
    }

    CompletableFuture<DuplexStream> openStream(QuicNettyConnection connection) {
        return exchange.openStream(connection);
    }

    // ---------------------------------------------------------------- helpers

    NodeCertificate certificate() {
        return endpoint.certificate();
    }

    PublicKey nodeId() {
        return self;
    }

    void count(String what) {
        counters.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
    }

    /** Counters of dropped or refused input, for tests and diagnostics. */
    Map<String, Long> counters() {
        Map<String, Long> m = new HashMap<>();
        counters.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /** Number of open, authenticated physical connections to {@code remote} (for tests). */
    int linkCount(PublicKey remote) {
        return table.linkCount(remote);
    }

    /** Number of physical connections (for tests). */
    int linkCount() {
        return table.linkCount();
    }

    /** Runs {@code task} on the callback thread (see {@link Callbacks#run}). */
    void run(Runnable task) {
        callbacks.run(task);
    }

    /** See {@link Callbacks#complete}. */
    <T> void complete(CompletableFuture<T> f, T value) {
        callbacks.complete(f, value);
    }

    <T> void fail(CompletableFuture<T> f, Throwable e) {
        callbacks.fail(f, e);
    }

    static RuntimeException unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof PandoException || t instanceof IllegalArgumentException || t instanceof IllegalStateException) {
            return (RuntimeException) t;
        }
        return new ConnectionClosedException(t.getClass().getSimpleName() + ": " + t.getMessage(), t);
    }

    @Override
    public String toString() {
        return "QuicNettyTransport[" + self.hex().substring(0, 8) + "]";
    }
}
