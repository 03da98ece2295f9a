package dev.pando.transport.quic.netty;

import dev.pando.ConfigurationException;
import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.NodeAddress;
import dev.pando.PandoException;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.UnsupportedAddressException;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.EventSink;
import dev.pando.spi.ProtocolNames;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.transport.quic.core.Alpn;
import dev.pando.transport.quic.core.CloseCode;
import dev.pando.transport.quic.core.DirectAddresses;
import dev.pando.transport.quic.core.NodeCertificate;
import dev.pando.transport.quic.core.QuicOptions;
import dev.pando.transport.quic.core.StreamPreamble;
import dev.pando.spi.TransportEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.quic.Quic;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "quic-netty" transport: a QUIC server codec for incoming connections and a client codec for
 * outgoing ones, on the channels of a {@link DatagramPath} (two UDP sockets for the "quic-netty"
 * provider, a relay tunnel for "relay"), one event loop group, the Pando QUIC wire scheme on top.
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
    private static final int DATAGRAM_QUEUE = 16;
    /** SNI sent by the client: identity is checked via the certificate extension, never the name. */
    private static final String PEER_HOST = "pando";
    /** TLS alerts (RFC 8446 6): no_application_protocol, handshake_failure. */
    private static final int TLS_NO_APPLICATION_PROTOCOL = 120;
    private static final int TLS_HANDSHAKE_FAILURE = 40;

    private enum State { NEW, STARTED, CLOSED }

    /** What this transport knows about one remote node; guarded by {@link #lock}. */
    private static final class Peer {
        final List<QuicLink> links = new ArrayList<>();
        final Map<String, QuicNettyConnection> connections = new HashMap<>();
        /** CLOSE_CONNECTIONs sent and not yet answered, by protocol: a dial for one waits for it. */
        final Map<String, CompletableFuture<Void>> closing = new HashMap<>();
        CompletableFuture<QuicLink> dialing;
        /** Whether PeerConnected was emitted and PeerDisconnected not yet. */
        boolean connected;

        boolean isEmpty() {
            return links.isEmpty() && connections.isEmpty() && closing.isEmpty() && dialing == null;
        }
    }

    private final TransportContext context;
    private final QuicOptions options;
    private final DatagramPath path;
    /** Link events; called under {@link #lock}, which keeps them in order (see EventSink). */
    private final EventSink events;
    private final PublicKey self;
    private final Map<String, Consumer<Connection>> acceptors = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    /** Dial attempts under way, by target address: the path may report a target unreachable. */
    private final Map<InetSocketAddress, List<java.util.function.Consumer<String>>> attempts = new ConcurrentHashMap<>();

    private final Object lock = new Object();
    // guarded by lock
    private final Map<PublicKey, Peer> peers = new HashMap<>();
    private final List<QuicLink> allLinks = new ArrayList<>();
    private State state = State.NEW;

    // set in start(), read after
    private volatile NodeCertificate certificate;
    private volatile EventLoopGroup group;
    private volatile ExecutorService callbacks;
    private volatile Thread callbackThread;
    private volatile Channel serverChannel;
    private volatile Channel clientChannel;
    private volatile NodeAddress localAddress;

    QuicNettyTransport(TransportContext context, QuicOptions options, DatagramPath path) {
        this.context = context;
        this.options = options;
        this.path = path;
        this.self = context.identity().publicKey();
        this.events = context.services().events();
        path.onUnreachable(this::unreachable);
    }

    private void unreachable(InetSocketAddress target, String why) {
        List<java.util.function.Consumer<String>> failers = attempts.get(target);
        if (failers != null) {
            List<java.util.function.Consumer<String>> copy;
            synchronized (failers) {
                copy = new ArrayList<>(failers);
            }
            copy.forEach(f -> f.accept(why));
        }
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void accept(String protocol, Consumer<Connection> handler) {
        ProtocolNames.validate(protocol);
        Objects.requireNonNull(handler, "handler");
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("accept handlers must be registered before start()");
            }
            if (acceptors.putIfAbsent(protocol, handler) != null) {
                throw new IllegalStateException("protocol " + protocol + " already has an accept handler");
            }
        }
    }

    @Override
    public void start() {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("transport was already " + (state == State.STARTED ? "started" : "closed"));
            }
            if (!Quic.isAvailable()) {
                throw new ConfigurationException("Netty's native QUIC is not available (is the module of this platform, e.g. "
                        + "io.netty.codec.quic.linux.x86_64, on the module path and added with --add-modules?): " + Quic.unavailabilityCause(),
                        Quic.unavailabilityCause());
            }
            try {
                startLocked();
                state = State.STARTED;
            } catch (RuntimeException e) {
                releaseResources();
                state = State.CLOSED;
                throw e;
            }
        }
        LOG.debug("quic-netty transport of {} listening on {}", self.hex(), localAddress.toText());
    }

    private void startLocked() {
        certificate = NodeCertificate.create(context.identity());
        String alpn = Alpn.of(context.networkId());
        NodeTrustManager trust = new NodeTrustManager();
        QuicSslContext serverSsl = QuicSslContextBuilder
                .forServer(certificate.keyPair().getPrivate(), null, certificate.certificate())
                // own network first: BoringSSL picks the first of the server's list the client offers
                .applicationProtocols(alpn, Alpn.OTHER_NETWORK)
                .trustManager(trust)
                .build();
        QuicSslContext clientSsl = QuicSslContextBuilder.forClient()
                .trustManager(trust)
                .applicationProtocols(alpn, Alpn.OTHER_NETWORK)
                .build();

        DefaultThreadFactory callbackThreads = new DefaultThreadFactory("pando-quic-netty-callbacks", true);
        callbacks = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = callbackThreads.newThread(r);
            callbackThread = t;
            return t;
        });
        group = new MultiThreadIoEventLoopGroup(options.ioThreads(), new DefaultThreadFactory("pando-quic-netty-io", true),
                NioIoHandler.newFactory());

        ChannelHandler serverCodec = configure(new QuicServerCodecBuilder())
                .sslContext(serverSsl)
                .tokenHandler(NoRetryTokenHandler.INSTANCE)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        QuicLink link = new QuicLink(true);
                        link.channel = ch;
                        ch.attr(QuicLink.KEY).set(link);
                        ch.pipeline().addLast(new LinkHandler(QuicNettyTransport.this, link));
                    }
                })
                .streamOption(ChannelOption.AUTO_READ, false)
                .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .streamHandler(inboundStreams())
                .build();
        ChannelHandler clientCodec = configure(new QuicClientCodecBuilder())
                .sslContext(clientSsl)
                // the engine needs a peer host, or BoringSSL's verification of the server fails
                .sslEngineProvider(ch -> clientSsl.newEngine(ch.alloc(), PEER_HOST, 1))
                .build();

        DatagramPath.Channels channels = path.open(group, serverCodec, clientCodec);
        serverChannel = channels.server();
        clientChannel = channels.client();
        localAddress = path.localAddress(self);
    }

    private <B extends QuicCodecBuilder<B>> B configure(B b) {
        return b.maxIdleTimeout(options.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .initialMaxData(options.connectionWindow())
                .initialMaxStreamDataBidirectionalLocal(options.streamWindow())
                .initialMaxStreamDataBidirectionalRemote(options.streamWindow())
                .initialMaxStreamsBidirectional(options.maxStreamsPerConnection())
                .initialMaxStreamsUnidirectional(0)
                // datagrams carry only keep-alives (quiche has no PING API)
                .datagram(DATAGRAM_QUEUE, DATAGRAM_QUEUE)
                .activeMigration(false);
    }

    private ChannelInitializer<QuicStreamChannel> inboundStreams() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(QuicStreamChannel ch) {
                ch.config().setAutoRead(false);
                ch.config().setAllowHalfClosure(true);
                ch.pipeline().addLast(new InboundStreamHandler(QuicNettyTransport.this));
            }
        };
    }

    @Override
    public NodeAddress localAddress() {
        NodeAddress a = localAddress;
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
        EventLoopGroup g = group;
        if (g != null) {
            for (io.netty.util.concurrent.EventExecutor e : g) {
                if (e.inEventLoop()) {
                    throw new IllegalStateException("close() on a transport thread would wait for itself");
                }
            }
        }
        List<QuicLink> links;
        List<QuicNettyConnection> connections = new ArrayList<>();
        List<CompletableFuture<QuicLink>> dials = new ArrayList<>();
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            boolean wasStarted = state == State.STARTED;
            state = State.CLOSED;
            if (!wasStarted) {
                return;
            }
            links = new ArrayList<>(allLinks);
            for (Map.Entry<PublicKey, Peer> e : peers.entrySet()) {
                Peer p = e.getValue();
                connections.addAll(p.connections.values());
                if (p.dialing != null) {
                    dials.add(p.dialing);
                }
                if (p.connected) {
                    // the links close below, after the peers are forgotten: report them down now
                    p.connected = false;
                    events.emit(new TransportEvent.PeerDisconnected(e.getKey()));
                }
            }
            peers.clear();
        }
        ConnectionClosedException closed = new ConnectionClosedException("transport closed");
        for (QuicNettyConnection c : connections) {
            c.shutDown("transport closed");
        }
        for (CompletableFuture<QuicLink> d : dials) {
            d.completeExceptionally(closed);
        }
        List<ChannelFuture> closing = new ArrayList<>();
        for (QuicLink l : links) {
            QuicChannel ch = l.channel;
            if (ch != null && ch.isOpen()) {
                closing.add(ch.close(true, CloseCode.NORMAL.code(), Unpooled.copiedBuffer("shutdown", StandardCharsets.US_ASCII)));
            }
        }
        for (ChannelFuture f : closing) {
            // CONNECTION_CLOSE frames go out before the sockets close; do not wait long for them
            f.awaitUninterruptibly(500, TimeUnit.MILLISECONDS);
        }
        releaseResources();
        LOG.debug("quic-netty transport of {} closed", self.hex());
    }

    private void releaseResources() {
        for (Channel c : new Channel[] {serverChannel, clientChannel}) {
            if (c != null) {
                c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        }
        path.close();
        EventLoopGroup g = group;
        if (g != null) {
            g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        ExecutorService cb = callbacks;
        if (cb != null) {
            cb.shutdown();
            if (Thread.currentThread() == callbackThread) {
                // close() from an accept handler or a future's callback: the thread ends when it returns
                return;
            }
            try {
                if (!cb.awaitTermination(5, TimeUnit.SECONDS)) {
                    cb.shutdownNow();
                }
            } catch (InterruptedException e) {
                cb.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- dialing

    @Override
    public CompletableFuture<Connection> dial(NodeAddress remote, String protocol) {
        CompletableFuture<Connection> result = new HandOverFuture<>();
        if (!ProtocolNames.isValid(protocol)) {
            result.completeExceptionally(new IllegalArgumentException(
                    "invalid protocol name \"" + protocol + "\" (see ProtocolNames)"));
            return result;
        }
        PublicKey target = remote.nodeId();
        if (target.equals(self)) {
            result.completeExceptionally(new IllegalArgumentException("cannot dial this node's own id " + self.hex()));
            return result;
        }
        if (!supports(remote)) {
            result.completeExceptionally(new UnsupportedAddressException(unsupportedReason(remote)));
            return result;
        }
        CompletableFuture<QuicLink> link;
        CompletableFuture<Void> closing;
        synchronized (lock) {
            if (state != State.STARTED) {
                result.completeExceptionally(new ConnectionClosedException("transport is " + (state == State.NEW ? "not started" : "closed")));
                return result;
            }
            Peer peer = peers.computeIfAbsent(target, k -> new Peer());
            QuicNettyConnection existing = peer.connections.get(protocol);
            if (existing != null && existing.dialed && existing.isOpen() && preferredLink(peer) != null) {
                result.complete(existing);
                return result;
            }
            closing = peer.closing.get(protocol);
            QuicLink ready = preferredLink(peer);
            if (ready != null) {
                link = CompletableFuture.completedFuture(ready);
            } else if (peer.dialing != null && !peer.dialing.isDone()) {
                link = peer.dialing; // coalesce concurrent dials into one handshake
            } else if (path.dialTargets(remote).isEmpty()) {
                result.completeExceptionally(new ConnectionClosedException("node " + target.hex() + " has no address this transport dials"));
                return result;
            } else if (allLinks.size() >= options.maxConnections()) {
                result.completeExceptionally(new ConnectionClosedException(
                        "connection limit reached (" + options.maxConnections() + ")"));
                return result;
            } else {
                CompletableFuture<QuicLink> dialing = new CompletableFuture<>();
                peer.dialing = dialing;
                link = dialing;
                connect(remote, dialing);
                dialing.whenComplete((l, e) -> {
                    synchronized (lock) {
                        Peer p = peers.get(target);
                        if (p != null && p.dialing == dialing) {
                            p.dialing = null;
                            if (p.isEmpty()) {
                                peers.remove(target);
                            }
                        }
                    }
                });
            }
        }
        // an OPEN_CONNECTION must not overtake this node's CLOSE_CONNECTION for the same protocol
        CompletableFuture<QuicLink> ready = closing == null ? link
                : closing.handle((v, e) -> null).thenCompose(v -> link);
        ready.thenCompose(l -> openConnection(l, protocol)).whenComplete((c, e) -> {
            if (e != null) {
                fail(result, unwrap(e));
            } else {
                complete(result, c);
            }
        });
        return result;
    }

    /** Whether this transport's datagram path can reach some part of {@code remote} (see {@link DatagramPath#supports}). */
    @Override
    public boolean supports(NodeAddress remote) {
        return path.supports(remote);
    }

    private String unsupportedReason(NodeAddress remote) {
        return path.unsupportedReason(remote);
    }

    /** How long an attempt on one address runs alone before the next address is tried too (RFC 8305). */
    static final long ATTEMPT_DELAY_MS = 250;

    /**
     * Happy Eyeballs (RFC 8305): the remote's direct addresses in {@link DirectAddresses#dialOrder}
     * order; the next attempt starts when the previous one fails or after {@value
     * #ATTEMPT_DELAY_MS} ms, whichever comes first; the first link wins and later ones are closed.
     * A node that proved to be someone else, or of another network, is an answer, not a miss: it
     * ends the dial. If every attempt fails, the last failure is reported.
     */
    private void connect(NodeAddress remote, CompletableFuture<QuicLink> done) {
        List<InetSocketAddress> order = path.dialTargets(remote);
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        Runnable[] startNext = new Runnable[1];
        startNext[0] = () -> {
            int i = next.getAndIncrement();
            if (i >= order.size() || done.isDone()) {
                return;
            }
            CompletableFuture<QuicLink> attempt = new CompletableFuture<>();
            io.netty.util.concurrent.ScheduledFuture<?> stagger = i + 1 < order.size()
                    ? clientChannel.eventLoop().schedule(startNext[0], ATTEMPT_DELAY_MS, TimeUnit.MILLISECONDS) : null;
            connectOnce(remote.nodeId(), order.get(i), attempt);
            attempt.whenComplete((l, e) -> {
                if (e == null) {
                    if (!done.complete(l)) {
                        closeLink(l, CloseCode.NORMAL, "another address of the node answered first");
                    }
                    return;
                }
                RuntimeException failure = unwrap(e);
                if (failure instanceof ProtocolViolationException || isClosed() || failed.incrementAndGet() == order.size()) {
                    done.completeExceptionally(failure);
                } else if (stagger != null && stagger.cancel(false)) {
                    startNext[0].run();
                }
            });
        };
        startNext[0].run();
    }

    private void connectOnce(PublicKey expected, InetSocketAddress address, CompletableFuture<QuicLink> done) {
        QuicLink link = new QuicLink(false);
        synchronized (lock) {
            if (state != State.STARTED) {
                done.completeExceptionally(new ConnectionClosedException("transport closed"));
                return;
            }
            allLinks.add(link);
        }
        Channel udp = clientChannel;
        java.util.Optional<String> unreachable = path.cannotReach(address);
        if (unreachable.isPresent()) {
            forgetUnregistered(link);
            done.completeExceptionally(new ConnectionClosedException("cannot dial " + address + ": " + unreachable.get()));
            return;
        }
        io.netty.util.concurrent.ScheduledFuture<?> timer = udp.eventLoop().schedule(() -> {
            if (done.completeExceptionally(new DeadlineExceededException("no connection to node " + expected.hex() + " at "
                    + text(address) + " within " + options.handshakeTimeout().toMillis() + " ms"))) {
                closeLink(link, CloseCode.AUTH_TIMEOUT, "handshake timeout");
                forgetUnregistered(link);
            }
        }, options.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        done.whenComplete((l, e) -> timer.cancel(false));
        java.util.function.Consumer<String> failer = why -> {
            if (done.completeExceptionally(new ConnectionClosedException("cannot connect to node " + expected.hex() + ": " + why))) {
                closeLink(link, CloseCode.NORMAL, "unreachable");
                forgetUnregistered(link);
            }
        };
        List<java.util.function.Consumer<String>> failers = attempts.computeIfAbsent(address, a -> new ArrayList<>());
        synchronized (failers) {
            failers.add(failer);
        }
        done.whenComplete((l, e) -> {
            synchronized (failers) {
                failers.remove(failer);
            }
            attempts.remove(address, List.of());
        });

        io.netty.handler.codec.quic.QuicChannelBootstrap bootstrap = QuicChannel.newBootstrap(udp);
        path.dialLocalAddress().ifPresent(bootstrap::localAddress);
        Future<QuicChannel> connecting = bootstrap
                .attr(QuicLink.KEY, link)
                .handler(new LinkHandler(this, link))
                .streamOption(ChannelOption.AUTO_READ, false)
                .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .streamHandler(inboundStreams())
                .remoteAddress(address)
                .connect();
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                forgetUnregistered(link);
                done.completeExceptionally(handshakeFailure(link, expected, address, f.cause()));
                return;
            }
            QuicChannel ch = (QuicChannel) f.getNow();
            link.channel = ch;
            if (done.isDone()) {
                ch.close();
                return;
            }
            if (Alpn.OTHER_NETWORK.equals(ch.sslEngine().getApplicationProtocol())) {
                count("other_network");
                closeLink(link, CloseCode.OTHER_NETWORK, "other network");
                done.completeExceptionally(new ProtocolViolationException("node at " + text(address)
                        + " belongs to another network than " + context.networkId().hex()));
                return;
            }
            byte[] serverCert;
            try {
                Certificate[] chain = ch.sslEngine().getSession().getPeerCertificates();
                NodeCertificate.verify(List.of(chain), expected);
                serverCert = chain[0].getEncoded();
            } catch (ProtocolViolationException e) {
                closeLink(link, CloseCode.IDENTITY_MISMATCH, "identity mismatch");
                done.completeExceptionally(e);
                return;
            } catch (SSLPeerUnverifiedException | java.security.cert.CertificateEncodingException e) {
                closeLink(link, CloseCode.PROTOCOL_VIOLATION, "no certificate");
                done.completeExceptionally(new ProtocolViolationException("node at " + text(address) + " presented no usable certificate", e));
                return;
            }
            CompletableFuture<Void> auth = new CompletableFuture<>();
            AuthClientHandler authHandler = new AuthClientHandler(context.identity(), serverCert, expected, auth);
            ch.createStream(QuicStreamType.BIDIRECTIONAL, authHandler)
                    .addListener(s -> {
                        if (!s.isSuccess()) {
                            auth.completeExceptionally(new ConnectionClosedException("cannot open the auth stream", s.cause()));
                        }
                    });
            auth.whenComplete((v, e) -> {
                if (e != null) {
                    closeLink(link, authHandler.failureCode(), "auth failed");
                    Throwable failure = unwrap(e);
                    QuicConnectionCloseEvent close = link.closeEvent;
                    if (failure instanceof ConnectionClosedException && close != null) {
                        // the server closes the connection when it refuses us (limit, shutting down): say why
                        failure = new ConnectionClosedException(failure.getMessage() + " (" + describe(close) + ")", failure);
                    }
                    done.completeExceptionally(failure);
                    return;
                }
                String refused = registerLink(link, expected, self);
                if (refused != null) {
                    closeLink(link, CloseCode.LIMIT, refused);
                    done.completeExceptionally(new ConnectionClosedException(refused));
                } else if (!done.complete(link)) {
                    closeLink(link, CloseCode.NORMAL, "dial abandoned");
                }
            });
        });
    }

    /** An address as written in node addresses (127.0.0.1:4433, [::1]:4433), not as toString's /127.0.0.1:4433. */
    static String text(InetSocketAddress address) {
        if (address.getAddress() == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        String ip = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof java.net.Inet6Address ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }

    private RuntimeException handshakeFailure(QuicLink link, PublicKey expected, InetSocketAddress address, Throwable cause) {
        QuicConnectionCloseEvent close = link.closeEvent;
        boolean tls = (close != null && close.isTlsError()) || hasCause(cause, SSLException.class)
                || hasCause(cause, java.security.cert.CertificateException.class);
        if (tls) {
            return new ProtocolViolationException("TLS handshake with node " + expected.hex() + " at " + text(address)
                    + " failed: different network id or not a Pando node (" + describe(close, cause) + ")", cause);
        }
        if (close != null && close.isApplicationClose() && close.error() == CloseCode.LIMIT.code()) {
            return new ConnectionClosedException("node " + expected.hex() + " refused the connection: too many connections");
        }
        return new ConnectionClosedException("cannot connect to node " + expected.hex() + " at " + text(address) + ": " + describe(close, cause), cause);
    }

    private static String describe(QuicConnectionCloseEvent close, Throwable cause) {
        if (close != null) {
            return describe(close);
        }
        return cause == null ? "unknown error" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** A CONNECTION_CLOSE in words, the application's close codes by name (as the kwik provider renders them). */
    static String describe(QuicConnectionCloseEvent close) {
        StringBuilder b = new StringBuilder("closed by the peer, ");
        if (close.isApplicationClose()) {
            b.append(CloseCode.describe(close.error()));
        } else if (close.isTlsError()) {
            b.append("TLS alert ").append(QuicConnectionCloseEvent.extractTlsError(close.error()));
        } else {
            b.append("transport error ").append(close.error());
        }
        byte[] reason = close.reason();
        if (reason != null && reason.length > 0) {
            b.append(": ").append(new String(reason, StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** Sends an OPEN_CONNECTION or CLOSE_CONNECTION; completes with the answer's status byte, within the stream timeout. */
    private CompletableFuture<Integer> control(QuicLink link, StreamPreamble.Kind kind, String protocol) {
        CompletableFuture<Integer> status = new CompletableFuture<>();
        withStream(link, new ControlStreamHandler(kind, protocol, status), status);
        io.netty.util.concurrent.ScheduledFuture<?> timer = link.channel.eventLoop().schedule(() -> {
            status.completeExceptionally(new DeadlineExceededException("node " + link.remote.hex()
                    + " did not answer " + kind + " within " + options.streamTimeout().toMillis() + " ms"));
        }, options.streamTimeout().toMillis(), TimeUnit.MILLISECONDS);
        status.whenComplete((s, e) -> timer.cancel(false));
        return status;
    }

    private CompletableFuture<Connection> openConnection(QuicLink link, String protocol) {
        CompletableFuture<Connection> result = new CompletableFuture<>();
        control(link, StreamPreamble.Kind.OPEN_CONNECTION, protocol).whenComplete((s, e) -> {
            if (e != null) {
                result.completeExceptionally(unwrap(e));
            } else if (s == StreamPreamble.ACCEPTED) {
                QuicNettyConnection c = connectionFor(link.remote, protocol, null);
                if (c == null) {
                    result.completeExceptionally(new ConnectionClosedException("connection to node " + link.remote.hex() + " was lost"));
                } else {
                    result.complete(c);
                }
            } else if (s == StreamPreamble.UNKNOWN_PROTOCOL) {
                result.completeExceptionally(new ProtocolViolationException("node " + link.remote.hex() + " does not accept protocol " + protocol));
            } else {
                result.completeExceptionally(new ProtocolViolationException("node " + link.remote.hex() + " answered OPEN_CONNECTION with " + s));
            }
        });
        return result;
    }

    /**
     * Opens a stream with {@code handler} once the peer allows another bidirectional stream;
     * fails {@code failure} when it cannot.
     */
    private void withStream(QuicLink link, ChannelHandler handler, CompletableFuture<?> failure) {
        QuicChannel ch = link.channel;
        ch.eventLoop().execute(() -> {
            Runnable open = () -> ch.createStream(QuicStreamType.BIDIRECTIONAL, handler).addListener(f -> {
                if (!f.isSuccess()) {
                    failure.completeExceptionally(new ConnectionClosedException("cannot open a stream to node "
                            + link.remote.hex() + ": " + f.cause().getMessage(), f.cause()));
                }
            });
            if (!ch.isActive()) {
                failure.completeExceptionally(new ConnectionClosedException("connection to node " + link.remote.hex() + " is closed"));
            } else if (ch.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) > 0 && link.waitingForStreamCredit.isEmpty()) {
                open.run();
            } else {
                // at the peer's stream limit: wait for MAX_STREAMS, bounded by the stream timeout
                link.waitingForStreamCredit.add(open);
                ch.eventLoop().schedule(() -> {
                    if (link.waitingForStreamCredit.remove(open)) {
                        failure.completeExceptionally(new DeadlineExceededException("node " + link.remote.hex()
                                + " allowed no new stream within " + options.streamTimeout().toMillis() + " ms"));
                    }
                }, options.streamTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    void streamCreditChanged(QuicLink link) {
        QuicChannel ch = link.channel;
        while (!link.waitingForStreamCredit.isEmpty() && ch.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) > 0) {
            link.waitingForStreamCredit.poll().run();
        }
    }

    CompletableFuture<DuplexStream> openStream(QuicNettyConnection connection) {
        CompletableFuture<DuplexStream> result = new HandOverFuture<>();
        QuicLink link;
        synchronized (lock) {
            Peer p = peers.get(connection.remoteNodeId());
            link = p == null ? null : preferredLink(p);
        }
        if (link == null) {
            result.completeExceptionally(new ConnectionClosedException("no open connection to node " + connection.remoteNodeId().hex()));
            return result;
        }
        byte[] preamble = new StreamPreamble(StreamPreamble.Kind.STREAM, connection.protocol()).encode();
        CompletableFuture<DuplexStream> opened = new CompletableFuture<>();
        withStream(link, new ChannelInitializer<QuicStreamChannel>() {
            @Override
            protected void initChannel(QuicStreamChannel ch) {
                ch.config().setAutoRead(false);
                ch.config().setAllowHalfClosure(true);
                QuicNettyStream stream = new QuicNettyStream(ch, options.streamTimeout());
                ch.pipeline().addLast(stream);
                ch.writeAndFlush(Unpooled.wrappedBuffer(preamble));
                if (!connection.track(stream)) {
                    stream.abort();
                    opened.completeExceptionally(new ConnectionClosedException("connection closed while opening a stream"));
                } else {
                    opened.complete(stream);
                }
            }
        }, opened);
        opened.whenComplete((s, e) -> {
            if (e != null) {
                fail(result, unwrap(e));
            } else {
                complete(result, s);
            }
        });
        return result;
    }

    // ---------------------------------------------------------------- links

    /** The link new streams to {@code peer} use: prefer the one dialed by the smaller node id. */
    private QuicLink preferredLink(Peer peer) {
        QuicLink any = null;
        for (QuicLink l : peer.links) {
            if (!l.isOpen()) {
                continue;
            }
            PublicKey smaller = self.compareTo(l.remote) < 0 ? self : l.remote;
            if (smaller.equals(l.dialer)) {
                return l;
            }
            if (any == null) {
                any = l;
            }
        }
        return any;
    }

    void acceptedLinkActive(QuicLink link) {
        if (Alpn.OTHER_NETWORK.equals(link.channel.sslEngine().getApplicationProtocol())) {
            // a node of another network: tell it so instead of leaving it to time out
            count("other_network");
            link.channel.close(true, CloseCode.OTHER_NETWORK.code(), Unpooled.copiedBuffer("other network", StandardCharsets.US_ASCII));
            return;
        }
        boolean over;
        synchronized (lock) {
            over = state != State.STARTED || allLinks.size() >= options.maxConnections();
            if (!over) {
                allLinks.add(link);
            }
        }
        if (over) {
            count("refused_connections");
            link.channel.close(true, CloseCode.LIMIT.code(), Unpooled.copiedBuffer("too many connections", StandardCharsets.US_ASCII));
            return;
        }
        // WIRE.md section 3: a client that does not prove itself in time is disconnected
        link.channel.eventLoop().schedule(() -> {
            if (!link.authenticated.isDone()) {
                count("auth_timeouts");
                closeLink(link, CloseCode.AUTH_TIMEOUT, "no proof of identity in time");
            }
        }, options.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Records a link whose remote id is now proven. Returns null, or why it was refused (the caller
     * closes it). Runs on the link's event loop.
     */
    String registerLink(QuicLink link, PublicKey remote, PublicKey dialer) {
        QuicLink replaced = null;
        synchronized (lock) {
            if (state != State.STARTED) {
                return "transport closed";
            }
            Peer p = peers.computeIfAbsent(remote, k -> new Peer());
            p.links.removeIf(l -> !l.isOpen());
            if (p.links.size() >= options.maxConnectionsPerPeer()) {
                // a peer that connects again (and proved its id) has given up on an older link,
                // whose close may still be on the way: the newest replaces the oldest it made
                replaced = link.accepted ? p.links.stream().filter(l -> l.accepted).findFirst().orElse(null) : null;
                if (replaced == null) {
                    count("refused_connections");
                    return "too many connections with node " + remote.hex();
                }
                p.links.remove(replaced);
            }
            link.remote = remote;
            link.dialer = dialer;
            p.links.add(link);
            if (!p.connected) {
                p.connected = true;
                events.emit(new TransportEvent.PeerConnected(remote));
            }
        }
        if (replaced != null) {
            count("replaced_connections");
            closeLink(replaced, CloseCode.NORMAL, "replaced by a newer connection from the same node");
        }
        link.authenticated.complete(link);
        if (!options.keepAlive().isZero()) {
            long every = options.keepAlive().toMillis();
            link.keepAlive = link.channel.eventLoop().scheduleAtFixedRate(() -> keepAlive(link), every, every, TimeUnit.MILLISECONDS);
        }
        return null;
    }

    /**
     * A one-byte QUIC DATAGRAM is ack-eliciting, so it resets the idle timer on both sides. Sent
     * only while this node uses the link (some protocol connection is open), so unused links still
     * idle out; and only if the peer accepts datagrams (a peer without them keeps links alive with
     * its own keep-alive, or they idle out).
     */
    private void keepAlive(QuicLink link) {
        QuicChannel ch = link.channel;
        if (!ch.isActive()) {
            return;
        }
        boolean inUse;
        synchronized (lock) {
            Peer p = peers.get(link.remote);
            inUse = p != null && !p.connections.isEmpty();
        }
        if (inUse && ch.peerTransportParameters() != null && ch.peerTransportParameters().maxDatagramFrameSize() > 0) {
            ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {0}));
        }
    }

    void closeLink(QuicLink link, CloseCode code, String reason) {
        QuicChannel ch = link.channel;
        if (ch != null && ch.isOpen()) {
            ch.close(true, code.code(), Unpooled.copiedBuffer(reason.length() > 100 ? reason.substring(0, 100) : reason, StandardCharsets.UTF_8));
        }
    }

    private void forgetUnregistered(QuicLink link) {
        synchronized (lock) {
            allLinks.remove(link);
        }
    }

    void linkFailed(QuicLink link, Throwable cause) {
        count("connection_errors");
        LOG.debug("QUIC connection {} failed", link, cause);
        QuicChannel ch = link.channel;
        if (hasCause(cause, SSLException.class) && ch != null && ch.isOpen()) {
            // try to tell the client with a TLS alert (RFC 9001 4.8: crypto error 0x100 + alert).
            // Measured: when BoringSSL fails on ALPN the connection is already closing and quiche
            // sends nothing, so a Netty dialer only times out; kwik servers do send the alert
            String m = String.valueOf(cause.getMessage());
            int alert = m.contains("NO_APPLICATION_PROTOCOL") ? TLS_NO_APPLICATION_PROTOCOL : TLS_HANDSHAKE_FAILURE;
            ch.close(false, 0x100 + alert, Unpooled.copiedBuffer("TLS handshake failed", StandardCharsets.US_ASCII));
        } else {
            closeLink(link, CloseCode.PROTOCOL_VIOLATION, "error");
        }
    }

    void linkClosed(QuicLink link) {
        List<QuicNettyConnection> lost = List.of();
        synchronized (lock) {
            allLinks.remove(link);
            PublicKey remote = link.remote;
            Peer p = remote == null ? null : peers.get(remote);
            if (p != null && p.links.remove(link)) {
                p.links.removeIf(l -> !l.isOpen());
                if (p.links.isEmpty()) {
                    lost = new ArrayList<>(p.connections.values());
                    p.connections.clear();
                }
            }
            if (p != null && p.links.isEmpty()) {
                // also when another link's registration pruned this closed one first
                if (p.connected) {
                    p.connected = false;
                    events.emit(new TransportEvent.PeerDisconnected(remote));
                }
                if (p.isEmpty()) {
                    peers.remove(remote);
                }
            }
        }
        if (link.keepAlive != null) {
            link.keepAlive.cancel(false);
        }
        link.waitingForStreamCredit.clear();
        link.authenticated.completeExceptionally(new ConnectionClosedException("connection closed"));
        for (QuicNettyConnection c : lost) {
            c.shutDown("connection lost");
        }
    }

    // ---------------------------------------------------------------- protocol connections

    /**
     * The open connection for (remote, protocol), created if missing; null if the node has no open
     * link. There is one per (remote, protocol) on each side, whichever side dialed: the wire's
     * STREAM names only the protocol. With {@code acceptHandler} (the remote dialed), the handler
     * gets it on the callback thread the first time; without (we dialed), it is marked dialed.
     */
    private QuicNettyConnection connectionFor(PublicKey remote, String protocol, Consumer<Connection> acceptHandler) {
        QuicNettyConnection c;
        boolean callHandler = false;
        synchronized (lock) {
            Peer p = peers.get(remote);
            if (p == null || preferredLink(p) == null) {
                return null;
            }
            c = p.connections.get(protocol);
            if (c == null || !c.isOpen()) {
                c = new QuicNettyConnection(this, remote, protocol, options.acceptQueue());
                p.connections.put(protocol, c);
            }
            if (acceptHandler == null) {
                // we dialed and the remote accepted: later dials reuse this connection
                c.dialed = true;
            } else if (!c.handlerCalled) {
                // once per (peer, protocol), also when this node had dialed that protocol first
                c.handlerCalled = true;
                callHandler = true;
            }
        }
        if (callHandler) {
            QuicNettyConnection created = c;
            run(() -> {
                try {
                    acceptHandler.accept(created);
                } catch (RuntimeException e) {
                    count("accept_handler_errors");
                    LOG.warn("accept handler for {} failed", protocol, e);
                }
            });
        }
        return c;
    }

    /** An OPEN_CONNECTION arrived: whether this node accepts the protocol (and now has a connection for it). */
    boolean openConnectionRequested(QuicLink link, String protocol) {
        Consumer<Connection> handler = acceptors.get(protocol);
        if (handler == null) {
            count("unknown_protocol");
            return false;
        }
        return connectionFor(link.remote, protocol, handler) != null;
    }

    /** A STREAM arrived: hand it to the protocol's connection, or abort it. Event loop. */
    void incomingStream(QuicLink link, String protocol, QuicStreamChannel ch, ChannelHandler preambleHandler, ByteBuf leftover) {
        QuicNettyConnection c;
        synchronized (lock) {
            Peer p = peers.get(link.remote);
            c = p == null ? null : p.connections.get(protocol);
        }
        QuicNettyStream stream = new QuicNettyStream(ch, options.streamTimeout());
        stream.prepend(leftover);
        ch.pipeline().replace(preambleHandler, "pando-stream", stream);
        if (c == null || !c.isOpen()) {
            count("streams_without_connection");
            stream.abort();
            return;
        }
        if (!c.track(stream)) {
            stream.abort();
            return;
        }
        if (!c.offer(stream)) {
            count("streams_refused_queue_full");
        }
    }

    /**
     * Connection.close(): forget it so a later dial or OPEN_CONNECTION makes a new one, and tell
     * the peer with CLOSE_CONNECTION (best effort: not when the link is gone).
     */
    void forget(QuicNettyConnection connection) {
        QuicLink link;
        CompletableFuture<Void> answered = new CompletableFuture<>();
        synchronized (lock) {
            Peer p = peers.get(connection.remoteNodeId());
            if (p == null || p.connections.get(connection.protocol()) != connection) {
                return;
            }
            p.connections.remove(connection.protocol());
            link = preferredLink(p);
            if (link == null || state != State.STARTED) {
                if (p.isEmpty()) {
                    peers.remove(connection.remoteNodeId());
                }
                return;
            }
            p.closing.put(connection.protocol(), answered);
        }
        answered.whenComplete((v, e) -> {
            synchronized (lock) {
                Peer p = peers.get(connection.remoteNodeId());
                if (p != null && p.closing.remove(connection.protocol(), answered) && p.isEmpty()) {
                    peers.remove(connection.remoteNodeId());
                }
            }
        });
        control(link, StreamPreamble.Kind.CLOSE_CONNECTION, connection.protocol()).whenComplete((s, e) -> {
            if (e != null) {
                count("close_not_answered");
            } else if (s != StreamPreamble.CLOSED) {
                count("protocol_violations");
                closeLink(link, CloseCode.PROTOCOL_VIOLATION, "bad CLOSE_CONNECTION answer");
            }
            answered.complete(null);
        });
    }

    /** A CLOSE_CONNECTION arrived: close this node's connection for the protocol, if it has one. Event loop. */
    void closeRequested(QuicLink link, String protocol) {
        QuicNettyConnection c;
        synchronized (lock) {
            Peer p = peers.get(link.remote);
            c = p == null ? null : p.connections.remove(protocol);
        }
        if (c != null) {
            c.shutDown("closed by the remote");
        }
    }

    // ---------------------------------------------------------------- helpers

    NodeCertificate certificate() {
        return certificate;
    }

    PublicKey nodeId() {
        return self;
    }

    private boolean isClosed() {
        synchronized (lock) {
            return state == State.CLOSED;
        }
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
        synchronized (lock) {
            Peer p = peers.get(remote);
            return p == null ? 0 : (int) p.links.stream().filter(QuicLink::isOpen).count();
        }
    }

    /** Number of physical connections (for tests). */
    int linkCount() {
        synchronized (lock) {
            return allLinks.size();
        }
    }

    private void run(Runnable task) {
        try {
            callbacks.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /**
     * Completes a future handed to callers on the callback thread, so that their dependent actions
     * never run on an event loop; a caller blocked on a {@link HandOverFuture} wakes right away and
     * completes it itself (then the callback thread is not woken).
     */
    <T> void complete(CompletableFuture<T> f, T value) {
        if (!(f instanceof HandOverFuture<T> h && h.handOver(value, null))) {
            run(() -> f.complete(value));
        }
    }

    <T> void fail(CompletableFuture<T> f, Throwable e) {
        if (!(f instanceof HandOverFuture<T> h && h.handOver(null, e))) {
            run(() -> f.completeExceptionally(e));
        }
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
