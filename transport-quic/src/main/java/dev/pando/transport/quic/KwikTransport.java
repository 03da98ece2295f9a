package dev.pando.transport.quic;

import dev.pando.ConfigurationException;
import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PandoException;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.UnsupportedAddressException;
import dev.pando.spi.Connection;
import dev.pando.spi.EventSink;
import dev.pando.spi.ProtocolNames;
import dev.pando.spi.Transport;
import dev.pando.transport.quic.core.Alpn;
import dev.pando.transport.quic.core.ClientAuthExchange;
import dev.pando.transport.quic.core.CloseCode;
import dev.pando.transport.quic.core.DirectAddresses;
import dev.pando.transport.quic.core.NodeCertificate;
import dev.pando.transport.quic.core.QuicOptions;
import dev.pando.transport.quic.core.StreamPreamble;
import dev.pando.spi.TransportEvent;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.ConnectionListener;
import tech.kwik.core.ConnectionTerminatedEvent;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ApplicationProtocolConnectionFactory;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ServerConnector;

/**
 * The "quic" transport: Pando's wire scheme (see transport-wire in the design notes and the
 * module README) over kwik. One server connector on a socket we bind; one kwik client connection
 * per dial. All blocking kwik calls run on a bounded worker pool with deadlines from a single
 * timer thread; kwik's own callbacks only hand work over.
 *
 * <p>Threads seen by callers: dial and openStream futures complete on a worker
 * ("pando-quic-worker-N"), on the timer ("pando-quic-timer-1") when a deadline expires, or are
 * complete on return; accept handlers run on a worker. Link events (PeerConnected/PeerDisconnected)
 * are emitted under the transport's lock, on a worker, a kwik thread, or the thread calling
 * {@code close()}.
 */
final class KwikTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(KwikTransport.class);
    private static final String KEY_ALIAS = "node";
    private static final int MAX_WORKERS = 64;
    private static final int MAX_QUEUED_TASKS = 4096;

    private enum State { NEW, STARTED, CLOSED }

    private record Key(PublicKey peer, String protocol) {}

    private final PrivateKey identity;
    private final PublicKey self;
    private final NetworkId networkId;
    private final QuicOptions settings;
    private final String alpn;
    private final Map<String, Consumer<Connection>> acceptors = new ConcurrentHashMap<>();
    private final TransportCounters counters = new TransportCounters();
    /** Link events; called under {@link #lock}, which keeps them in order (see EventSink). */
    private final EventSink events;

    private final Object lock = new Object();
    private State state = State.NEW; // guarded by lock
    private final Map<PublicKey, List<PeerLink>> links = new HashMap<>(); // guarded by lock
    private final Map<PublicKey, CompletableFuture<PeerLink>> dials = new HashMap<>(); // guarded by lock
    /** Peers reported with PeerConnected and not yet with PeerDisconnected. */
    private final Set<PublicKey> connected = new HashSet<>(); // guarded by lock
    private final Set<PeerLink> allLinks = ConcurrentHashMap.newKeySet();
    private final Map<Key, ProtocolConnection> connections = new ConcurrentHashMap<>();
    /** CLOSE_CONNECTIONs sent and not yet answered: a dial for the same (peer, protocol) waits for it. */
    private final Map<Key, CompletableFuture<Void>> closing = new ConcurrentHashMap<>();

    private ThreadPoolExecutor workers;
    private ScheduledThreadPoolExecutor timer;
    private Deadlines deadlines;
    private ServerConnector server;
    private NodeCertificate tls;
    private NodeAddress localAddress;

    KwikTransport(PrivateKey identity, NetworkId networkId, QuicOptions settings, EventSink events) {
        this.events = events;
        this.identity = identity;
        this.self = identity.publicKey();
        this.networkId = networkId;
        this.settings = settings;
        this.alpn = Alpn.of(networkId);
    }

    QuicOptions settings() {
        return settings;
    }

    TransportCounters counters() {
        return counters;
    }

    Deadlines deadlines() {
        return deadlines;
    }

    /** The deadline sweep's check: every stream of every link, authenticated or not. */
    private boolean checkDeadlines(long now) {
        boolean running = false;
        for (PeerLink link : allLinks) {
            running |= link.checkDeadlines(now);
        }
        return running;
    }

    @Override
    public void accept(String protocol, Consumer<Connection> handler) {
        ProtocolNames.validate(protocol);
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("accept must be called before start");
            }
            if (acceptors.putIfAbsent(protocol, handler) != null) {
                throw new IllegalStateException("protocol already accepted: " + protocol);
            }
        }
    }

    @Override
    public void start() {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("transport already " + (state == State.STARTED ? "started" : "closed"));
            }
            // workers block (kwik has no async API): reuse an idle one, else grow to MAX_WORKERS
            // before queueing, and let idle ones go so a quiet node keeps no threads
            workers = new WorkerPool(MAX_WORKERS, MAX_QUEUED_TASKS, 10, threads("pando-quic-worker-"));
            timer = new ScheduledThreadPoolExecutor(1, threads("pando-quic-timer-"));
            timer.setRemoveOnCancelPolicy(true);
            deadlines = new Deadlines(timer, this::checkDeadlines);
            DatagramSocket socket = null;
            try {
                InetSocketAddress bind = resolve(settings.bind());
                tls = NodeCertificate.create(identity);
                char[] password = new char[0];
                socket = new DatagramSocket(bind);
                server = ServerConnector.builder()
                        .withSocket(socket)
                        // the key was not made by SunEC's KeyStore path: name the curve explicitly
                        .withKeyStore(keyStore(tls, password), KEY_ALIAS, password, "secp256r1")
                        .withConfiguration(serverConfig())
                        .withLogger(new KwikLogger())
                        .build();
                server.registerApplicationProtocol(alpn, new Acceptor());
                server.start();
                localAddress = NodeAddress.direct(self, listenAddresses(socket));
                long sweep = Math.max(1_000, settings.idleTimeout().toMillis() / 4);
                timer.scheduleWithFixedDelay(this::closeUnusedLinks, sweep, sweep, TimeUnit.MILLISECONDS);
                state = State.STARTED;
            } catch (Exception e) {
                // kwik owns the socket once the connector exists; before that it is ours to close
                if (server != null) {
                    server.close();
                } else if (socket != null) {
                    socket.close();
                }
                shutdownExecutors();
                state = State.CLOSED;
                if (e instanceof PandoException p) {
                    throw p;
                }
                throw new ConfigurationException("cannot start the quic transport on " + text(settings.bind()) + ": " + e.getMessage(), e);
            }
        }
        LOG.debug("quic transport of {} listening on {}", self, localAddress.directAddresses());
    }

    private ServerConnectionConfig serverConfig() {
        return ServerConnectionConfig.builder()
                .maxIdleTimeout((int) settings.idleTimeout().toMillis())
                .maxOpenPeerInitiatedBidirectionalStreams(settings.maxStreamsPerConnection())
                .maxOpenPeerInitiatedUnidirectionalStreams(0)
                .maxBidirectionalStreamBufferSize(settings.streamWindow())
                .maxUnidirectionalStreamBufferSize(settings.streamWindow())
                .maxConnectionBufferSize(settings.connectionWindow())
                // stateless retry made handshakes fail here ("transport error 11"); see docs/QUIC-NOTES.md
                .retryRequired(false)
                .build();
    }

    @Override
    public NodeAddress localAddress() {
        synchronized (lock) {
            if (localAddress == null) {
                throw new IllegalStateException("transport not started");
            }
            return localAddress;
        }
    }

    @Override
    public CompletableFuture<Connection> dial(NodeAddress remote, String protocol) {
        if (!ProtocolNames.isValid(protocol)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("invalid protocol name: " + protocol));
        }
        if (remote.nodeId().equals(self)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("cannot dial this node's own id " + self.hex()));
        }
        if (!supports(remote)) {
            return CompletableFuture.failedFuture(new UnsupportedAddressException(unsupportedReason(remote)));
        }
        ProtocolConnection existing = connections.get(new Key(remote.nodeId(), protocol));
        // one Connection per (peer, protocol) on each side; but the remote's accept handler must
        // hear of our dial once, so a Connection that only the remote opened still sends OPEN_CONNECTION
        if (existing != null && existing.isOpen() && existing.openedByUs()) {
            return CompletableFuture.completedFuture(existing);
        }
        // an OPEN_CONNECTION must not overtake this node's CLOSE_CONNECTION for the same protocol
        CompletableFuture<Void> pendingClose = closing.get(new Key(remote.nodeId(), protocol));
        CompletableFuture<?> ready = pendingClose == null ? CompletableFuture.completedFuture(null) : pendingClose.handle((v, e) -> null);
        return ready.thenCompose(v -> linkTo(remote)).thenCompose(link -> openConnection(link, protocol));
    }

    /**
     * True if some direct address of {@code remote} is of a family (and scope) the socket bound to
     * the {@code bind} option can send to; relay URLs are not this transport's.
     */
    @Override
    public boolean supports(NodeAddress remote) {
        InetSocketAddress local = settings.bind();
        return remote.directAddresses().stream().anyMatch(a -> DirectAddresses.unreachableFrom(local, a) == null);
    }

    private String unsupportedReason(NodeAddress remote) {
        if (remote.directAddresses().isEmpty()) {
            return "the quic transport dials direct addresses only, and node " + remote.nodeId().hex() + " has none"
                    + (remote.relayUrl().isPresent() ? " (only a relay URL)" : "");
        }
        InetSocketAddress local = settings.bind();
        return "no direct address of node " + remote.nodeId().hex() + " can be dialed from " + text(local) + ": "
                + DirectAddresses.unreachableFrom(local, remote.directAddresses().get(0))
                + (remote.directAddresses().size() > 1 ? " (and likewise the other " + (remote.directAddresses().size() - 1) + ")" : "");
    }

    private CompletableFuture<PeerLink> linkTo(NodeAddress remote) {
        PublicKey peer = remote.nodeId();
        synchronized (lock) {
            if (state != State.STARTED) {
                return CompletableFuture.failedFuture(new ConnectionClosedException("transport is " + state.name().toLowerCase()));
            }
            PeerLink best = preferredLink(peer);
            if (best != null) {
                return CompletableFuture.completedFuture(best);
            }
            CompletableFuture<PeerLink> pending = dials.get(peer);
            // a finished dial may still be in the map (its removal runs after the callers'
            // callbacks): its link, if still open, was found above; else it is history
            if (pending == null || pending.isDone()) {
                pending = call("dial " + peer, () -> connect(remote), settings.handshakeTimeout(),
                        link -> link.close(CloseCode.NORMAL, "dial abandoned", true));
                dials.put(peer, pending);
                CompletableFuture<PeerLink> mine = pending;
                pending.whenComplete((l, e) -> {
                    synchronized (lock) {
                        dials.remove(peer, mine);
                    }
                });
            }
            // a copy, so that one caller cancelling does not cancel the others' dial
            return pending.thenApply(l -> l);
        }
    }

    /** Open authenticated link to the peer; the one dialed by the smaller node id wins ties. */
    private PeerLink preferredLink(PublicKey peer) {
        List<PeerLink> l = links.get(peer);
        if (l == null || l.isEmpty()) {
            return null;
        }
        boolean weAreSmaller = self.compareTo(peer) < 0;
        for (PeerLink link : l) {
            if (link.isOpen() && link.dialedByUs() == weAreSmaller) {
                return link;
            }
        }
        for (PeerLink link : l) {
            if (link.isOpen()) {
                return link;
            }
        }
        return null;
    }

    /** Runs on a worker: handshake, certificate check, client identity proof. */
    private PeerLink connect(NodeAddress remote) throws Exception {
        if (remote.directAddresses().isEmpty()) {
            throw new ConnectionClosedException("no direct address for " + remote.nodeId());
        }
        Exception last = null;
        InetSocketAddress local = resolve(settings.bind());
        // kwik blocks for a whole handshake per address, so the addresses are tried one after
        // the other (quic-netty races them, RFC 8305); an unreachable family fails at once
        for (InetSocketAddress address : DirectAddresses.dialOrder(remote.directAddresses())) {
            String unreachable = DirectAddresses.unreachableFrom(local, address);
            if (unreachable != null) {
                last = new ConnectionClosedException("cannot dial " + address + ": " + unreachable);
                continue;
            }
            try {
                return connect(remote.nodeId(), address);
            } catch (ProtocolViolationException e) {
                throw e; // we reached someone who is not who we want: other addresses will not help
            } catch (Exception e) {
                last = e;
            }
        }
        throw last;
    }

    /** An address as written in node addresses (127.0.0.1:4433, [::1]:4433), not as toString's /127.0.0.1:4433. */
    static String text(InetSocketAddress address) {
        if (address.getAddress() == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        String ip = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof java.net.Inet6Address ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }

    private PeerLink connect(PublicKey expected, InetSocketAddress address) throws Exception {
        InetAddress localHost = resolve(settings.bind()).getAddress();
        QuicClientConnection quic = QuicClientConnection.newBuilder()
                .uri(new URI("https", null, address.getHostString(), address.getPort(), null, null, null))
                .applicationProtocol(alpn)
                // kwik's own check would want a CA-signed certificate; ours is verified below,
                // before a single application byte is sent
                .noServerCertificateCheck()
                .connectTimeout(settings.handshakeTimeout())
                .maxIdleTimeout(settings.idleTimeout())
                .defaultStreamReceiveBufferSize(settings.streamWindow())
                .maxOpenPeerInitiatedBidirectionalStreams(settings.maxStreamsPerConnection())
                .maxOpenPeerInitiatedUnidirectionalStreams(0)
                // our own socket, on the bound interface; kwik closes it with the connection
                .socketFactory(destination -> new DatagramSocket(new InetSocketAddress(localHost, 0)))
                .logger(new KwikLogger())
                .build();
        PeerLink link = new PeerLink(this, quic, true);
        quic.setPeerInitiatedStreamCallback(link::incoming);
        quic.setConnectionListener(listener(link));
        allLinks.add(link);
        try {
            try {
                quic.connect();
            } catch (ConnectException e) {
                String m = String.valueOf(e.getMessage());
                if (m.contains("timed out")) {
                    throw new DeadlineExceededException("handshake with " + text(address) + " did not complete within "
                            + settings.handshakeTimeout().toMillis() + " ms");
                }
                throw new ProtocolViolationException("handshake with " + text(address)
                        + " failed (different network id or not a Pando node): " + m);
            } catch (IOException e) {
                throw new ConnectionClosedException("cannot reach " + text(address) + ": " + e.getMessage(), e);
            }
            List<X509Certificate> chain = quic.getServerCertificateChain();
            PublicKey reached;
            try {
                reached = NodeCertificate.verify(chain, expected);
            } catch (ProtocolViolationException e) {
                link.close(CloseCode.IDENTITY_MISMATCH, CloseCode.IDENTITY_MISMATCH.words(), true);
                throw e;
            }
            link.authenticated(reached);
            proveIdentity(link, quic, chain.get(0).getEncoded(), reached);
            if (settings.keepAlive().compareTo(Duration.ZERO) > 0) {
                // kwik pings at half the negotiated idle timeout for as long as asked
                quic.keepAlive(Integer.MAX_VALUE);
            }
            register(link);
            return link;
        } catch (Exception | Error e) {
            link.close(e instanceof ProtocolViolationException ? CloseCode.PROTOCOL_VIOLATION : CloseCode.NORMAL,
                    "dial failed", true);
            throw e;
        }
    }

    /** The client side of the auth stream (WIRE.md, "Identity proof"), bounded by the handshake timeout. */
    private void proveIdentity(PeerLink link, QuicClientConnection quic, byte[] serverCertDer, PublicKey server)
            throws IOException {
        KwikStream s = link.wrap(quic.createStream(true), settings.handshakeTimeout());
        try {
            ClientAuthExchange.Step last = runAuth(s, ClientAuthExchange.client(identity, serverCertDer, server));
            if (last instanceof ClientAuthExchange.Failed failed) {
                link.close(failed.closeCode(), failed.closeCode().words(), true);
                throw failed.error();
            }
        } catch (ConnectionClosedException e) {
            // the server closes the connection when it refuses us (shutting down, connection
            // limit): say so, with the close code it sent if kwik has reported it yet
            String cause = link.closeCause();
            throw new ConnectionClosedException("node " + server + " broke off the identity proof"
                    + (cause != null ? " (" + cause + ")" : ": " + e.getMessage()), e);
        } finally {
            s.close();
        }
    }

    /**
     * Drives an identity proof over a blocking kwik stream: sends what the exchange asks, reads
     * exactly the bytes it wants next (never more: nothing else travels on the auth stream), and
     * returns its last step ({@link ClientAuthExchange.Proven} or {@link ClientAuthExchange.Failed},
     * whose bytes it has sent).
     */
    private static ClientAuthExchange.Step runAuth(KwikStream s, ClientAuthExchange exchange) {
        ClientAuthExchange.Step step = exchange.start();
        while (true) {
            if (step instanceof ClientAuthExchange.Send send) {
                if (send.bytes().length > 0) {
                    s.write(send.bytes());
                }
                if (send.endOfOutput()) {
                    // kwik 0.10.8 sends buffered bytes only on a later write or close: close now
                    s.closeOutput();
                }
                byte[] in = new byte[exchange.wanted()];
                s.readFully(in, 0, in.length);
                step = exchange.onBytes(ByteBuffer.wrap(in));
            } else {
                if (step instanceof ClientAuthExchange.Failed failed && failed.bytes().length > 0) {
                    s.write(failed.bytes());
                }
                return step;
            }
        }
    }

    /**
     * The server side of the auth stream; runs on a worker, bounded by the handshake timeout. The
     * link is marked authenticated before the status byte goes out: the client opens its next
     * stream as soon as it reads "accepted", and that stream must not meet an unauthenticated link.
     */
    private void verifyClient(PeerLink link, KwikStream s) {
        try {
            ClientAuthExchange.Step last = runAuth(s, ClientAuthExchange.server(tls));
            if (last instanceof ClientAuthExchange.Failed failed) {
                if (failed.bytes().length > 0) {
                    s.close();
                } else {
                    s.abort();
                }
                link.protocolViolation(failed.error(), failed.closeCode());
                return;
            }
            link.authenticated(((ClientAuthExchange.Proven) last).remote());
            boolean admitted = register(link);
            if (!admitted) {
                // the proof was fine, but this node is shutting down: no status, the close says it
                counters.refusedConnections.increment();
                s.abort();
                link.close(CloseCode.NORMAL, "node shutting down", true);
                return;
            }
            s.write(ClientAuthExchange.acceptedStatus());
            s.close();
        } catch (ProtocolViolationException e) {
            s.abort();
            link.protocolViolation(e);
        } catch (PandoException e) {
            s.abort();
            counters.protocolViolations.increment();
            link.close(CloseCode.PROTOCOL_VIOLATION, "identity proof not completed", true);
        }
    }

    /**
     * Adds an authenticated link to the registry; false if the transport is closing or the link
     * already closed. A peer at its {@code max_connections_per_peer} that dials again has given up
     * on an older link (its close may still be on the way, or lost): the new link replaces the
     * oldest one this node accepted from it. Only a node that proved the same id can do this.
     */
    private boolean register(PeerLink link) {
        PeerLink replaced = null;
        synchronized (lock) {
            if (state != State.STARTED || !link.isOpen()) {
                return false;
            }
            List<PeerLink> l = links.computeIfAbsent(link.remoteNodeId(), k -> new ArrayList<>());
            l.removeIf(x -> !x.isOpen());
            if (!link.dialedByUs() && l.size() >= settings.maxConnectionsPerPeer()) {
                replaced = l.stream().filter(x -> !x.dialedByUs()).findFirst().orElse(null);
                if (replaced == null) {
                    return false; // only links this node dialed: they are not the peer's to replace
                }
                l.remove(replaced);
            }
            l.add(link);
            if (connected.add(link.remoteNodeId())) {
                events.emit(new TransportEvent.PeerConnected(link.remoteNodeId()));
            }
        }
        if (replaced != null) {
            counters.replacedConnections.increment();
            replaced.close(CloseCode.NORMAL, "replaced by a newer connection from the same node", true);
        }
        return true;
    }

    private void closeUnusedLinks() {
        long now = System.nanoTime();
        for (PeerLink link : allLinks) {
            if (link.remoteNodeId() != null && link.unusedFor(settings.idleTimeout(), now)) {
                execute(() -> link.close(CloseCode.NORMAL, "unused", true));
            }
        }
    }

    /** Physical connections of any state, authenticated or not (for tests and diagnostics). */
    int allLinkCount() {
        return allLinks.size();
    }

    /** Closes every physical connection to a peer, as a stall does; the next dial makes a new one. */
    void disconnect(PublicKey peer) {
        List<PeerLink> l;
        synchronized (lock) {
            l = new ArrayList<>(links.getOrDefault(peer, List.of()));
        }
        l.forEach(link -> link.close(CloseCode.NORMAL, "disconnect", true));
    }

    /** Open authenticated physical connections to a peer (for tests and diagnostics). */
    int linkCount(PublicKey peer) {
        synchronized (lock) {
            List<PeerLink> l = links.get(peer);
            return l == null ? 0 : (int) l.stream().filter(PeerLink::isOpen).count();
        }
    }

    void linkClosed(PeerLink link) {
        allLinks.remove(link);
        PublicKey peer = link.remoteNodeId();
        if (peer != null) {
            synchronized (lock) {
                List<PeerLink> l = links.get(peer);
                if (l != null) {
                    l.remove(link);
                    if (l.isEmpty()) {
                        links.remove(peer);
                    }
                }
                // also when another link's registration pruned this closing one first
                if ((l == null || l.isEmpty()) && connected.remove(peer)) {
                    events.emit(new TransportEvent.PeerDisconnected(peer));
                }
            }
        }
    }

    /** OPEN_CONNECTION on a link (WIRE.md, section 4). */
    private CompletableFuture<Connection> openConnection(PeerLink link, String protocol) {
        return control(link, StreamPreamble.Kind.OPEN_CONNECTION, protocol)
                .thenApply(answer -> {
                    if (answer != StreamPreamble.ACCEPTED) {
                        throw new ProtocolViolationException("node " + link.remoteNodeId() + " does not accept protocol " + protocol);
                    }
                    ProtocolConnection c = connectionFor(link, protocol);
                    c.markOpenedByUs();
                    return (Connection) c;
                });
    }

    /** Sends an OPEN_CONNECTION or CLOSE_CONNECTION on a new stream and reads the one-byte answer (on a worker). */
    private CompletableFuture<Integer> control(PeerLink link, StreamPreamble.Kind kind, String protocol) {
        byte[] preamble = new StreamPreamble(kind, protocol).encode();
        return openStream(link, preamble, settings.streamTimeout())
                .thenApplyAsync(s -> {
                    byte[] answer = new byte[1];
                    try {
                        // the preamble is all this side sends: end it now, as the wire scheme
                        // allows. kwik 0.10.8 may leave a write's bytes unsent until the next
                        // write or close (README, "Limits of kwik"); the close sends them.
                        s.closeOutput();
                        s.readFully(answer, 0, 1);
                    } finally {
                        s.close();
                    }
                    return answer[0] & 0xFF;
                }, workers);
    }

    /** The connection for (peer, protocol), creating it on this link if there is none open. */
    private ProtocolConnection connectionFor(PeerLink link, String protocol) {
        Key key = new Key(link.remoteNodeId(), protocol);
        boolean[] created = {false};
        ProtocolConnection c = connections.compute(key, (k, old) -> {
            if (old != null && old.isOpen()) {
                return old;
            }
            created[0] = true;
            return new ProtocolConnection(link, protocol, settings.acceptQueue());
        });
        if (created[0]) {
            link.bind(c);
        } else {
            c.rebind(link);
        }
        return c;
    }

    void forget(ProtocolConnection c) {
        connections.remove(new Key(c.remoteNodeId(), c.protocol()), c);
    }

    /** CLOSE_CONNECTION (WIRE.md, section 4), best effort: a failure only counts. */
    void sendClose(PeerLink link, String protocol) {
        synchronized (lock) {
            if (!link.isOpen() || state != State.STARTED) {
                return;
            }
        }
        Key key = new Key(link.remoteNodeId(), protocol);
        CompletableFuture<Void> answered = new CompletableFuture<>();
        closing.put(key, answered);
        answered.whenComplete((v, e) -> closing.remove(key, answered));
        control(link, StreamPreamble.Kind.CLOSE_CONNECTION, protocol)
                .thenAccept(answer -> {
                    if (answer != StreamPreamble.CLOSED) {
                        link.protocolViolation(new ProtocolViolationException("node " + link.remoteNodeId()
                                + " answered CLOSE_CONNECTION with " + answer));
                    }
                })
                .whenComplete((v, e) -> {
                    if (e != null) {
                        counters.unansweredCloses.increment();
                    }
                    answered.complete(null);
                });
    }

    /** Creates a stream with a deadline (kwik blocks while the peer grants no stream) and sends its preamble. */
    CompletableFuture<KwikStream> openStream(PeerLink link, byte[] preamble, Duration timeout) {
        if (!link.isOpen()) {
            return CompletableFuture.failedFuture(link.closedError());
        }
        KwikStream here = tryOpenHere(link, preamble);
        if (here != null) {
            return CompletableFuture.completedFuture(here);
        }
        return call("opening a stream to " + link.remoteNodeId(), () -> {
            QuicStream q;
            try {
                q = link.quic().createStream(true);
            } catch (IOException e) {
                throw new ConnectionClosedException("cannot open a stream to " + link.remoteNodeId() + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                // kwik turns an interrupted wait for stream credit into a RuntimeException
                throw new DeadlineExceededException("no stream credit from " + link.remoteNodeId() + " within " + timeout.toMillis() + " ms");
            }
            KwikStream s = link.wrap(q, settings.streamTimeout());
            try {
                s.write(preamble);
            } catch (RuntimeException e) {
                s.abort();
                throw e;
            }
            return s;
        }, timeout, KwikStream::abort);
    }

    /**
     * Opens a stream on the caller's thread, when the peer very likely has stream credit to spare:
     * kwik's {@code createStream} then returns at once and writing the preamble to a fresh stream
     * only buffers it, so the caller is spared two thread hand-offs (to a worker and back), which
     * were most of the provider's per-stream cost (README, "Performance"). Without credit kwik
     * would wait without limit, so the deadline sweep interrupts a wait that lasts longer than one
     * tick ({@link PeerLink.Creation}); then, or on any other failure, this returns null and the
     * worker path, with the full deadline, takes over.
     */
    private KwikStream tryOpenHere(PeerLink link, byte[] preamble) {
        // a caller already interrupted would make kwik fail at once, and lose the interrupt
        if (!link.likelyHasStreamCredit() || Thread.currentThread().isInterrupted()) {
            return null;
        }
        PeerLink.Creation creation = link.creationStarted();
        QuicStream q = null;
        boolean interruptedElsewhere = false;
        try {
            q = link.quic().createStream(true);
        } catch (IOException e) {
            // not connected: the worker path reports it
        } catch (RuntimeException e) {
            // kwik's answer to an interrupted wait for credit (and it clears the interrupt)
            interruptedElsewhere = true;
        } finally {
            if (link.creationFinished(creation)) {
                // the sweep interrupted this wait: the wait is over, clear the interrupt if
                // createStream returned before it saw it
                Thread.interrupted();
                interruptedElsewhere = false;
                if (q == null) {
                    counters.creditWaits.increment();
                }
            }
        }
        if (interruptedElsewhere) {
            // someone else interrupted the caller: give the interrupt back
            Thread.currentThread().interrupt();
        }
        if (q == null) {
            return null;
        }
        KwikStream s;
        try {
            s = link.wrap(q, settings.streamTimeout());
        } catch (ConnectionClosedException e) {
            return null; // wrap aborted the stream; the worker path reports the closed link
        }
        try {
            s.write(preamble);
        } catch (RuntimeException e) {
            s.abort();
            return null;
        }
        return s;
    }

    /** Runs on a worker: an incoming stream's auth or preamble (WIRE.md, sections 3 and 4). */
    void handleIncoming(PeerLink link, QuicStream q) {
        KwikStream s;
        try {
            s = link.wrap(q, link.remoteNodeId() == null ? settings.handshakeTimeout() : settings.streamTimeout());
        } catch (ConnectionClosedException e) {
            return;
        }
        if (link.remoteNodeId() == null) {
            if (link.claimAuthStream()) {
                verifyClient(link, s);
            } else {
                // no stream is accepted before the client has proven its id
                counters.refusedStreams.increment();
                s.abort();
            }
            return;
        }
        StreamPreamble p;
        try {
            p = readPreamble(s);
        } catch (ProtocolViolationException e) {
            s.abort();
            link.protocolViolation(e);
            return;
        } catch (PandoException e) {
            s.abort();
            return;
        }
        if (p.kind() == StreamPreamble.Kind.CLOSE_CONNECTION) {
            ProtocolConnection c = connections.remove(new Key(link.remoteNodeId(), p.protocol()));
            if (c != null) {
                c.shutdown();
                link.unbind(c);
            }
            try {
                s.write(new byte[] {StreamPreamble.CLOSED});
                s.close();
            } catch (PandoException e) {
                s.abort();
            }
            return;
        }
        if (p.kind() == StreamPreamble.Kind.OPEN_CONNECTION) {
            Consumer<Connection> handler = acceptors.get(p.protocol());
            try {
                if (handler == null) {
                    s.write(new byte[] {StreamPreamble.UNKNOWN_PROTOCOL});
                    s.close();
                    return;
                }
                ProtocolConnection c = connectionFor(link, p.protocol());
                s.write(new byte[] {StreamPreamble.ACCEPTED});
                s.close();
                if (c.markAcceptedFromPeer()) {
                    try {
                        handler.accept(c);
                    } catch (RuntimeException e) {
                        LOG.warn("accept handler for {} failed", p.protocol(), e);
                    }
                }
            } catch (PandoException e) {
                s.abort();
            }
        } else {
            ProtocolConnection c = connections.get(new Key(link.remoteNodeId(), p.protocol()));
            if (c == null || !c.isOpen()) {
                counters.refusedStreams.increment();
                s.abort();
                return;
            }
            s.connection(c);
            if (!c.offer(s)) {
                counters.refusedStreams.increment();
                s.abort();
            }
        }
    }

    /**
     * Reads a STREAM / OPEN_CONNECTION preamble in two reads (kind and length, then the name)
     * rather than byte by byte, and never past its end: application bytes follow it.
     *
     * @throws ProtocolViolationException for a malformed preamble
     */
    static StreamPreamble readPreamble(KwikStream s) {
        byte[] buffer = new byte[2 + ProtocolNames.MAX_LENGTH];
        s.readFully(buffer, 0, 2);
        // checks the kind and the length byte; empty because the name is still to come
        StreamPreamble.tryDecode(ByteBuffer.wrap(buffer, 0, 2));
        int length = buffer[1] & 0xFF;
        s.readFully(buffer, 2, length);
        return StreamPreamble.tryDecode(ByteBuffer.wrap(buffer, 0, 2 + length))
                .orElseThrow(() -> new IllegalStateException("a complete preamble did not decode"));
    }

    /** kwik's server side: called after each handshake with our ALPN. */
    private final class Acceptor implements ApplicationProtocolConnectionFactory {
        @Override
        public ApplicationProtocolConnection createConnection(String protocol, QuicConnection quic) {
            PeerLink link = new PeerLink(KwikTransport.this, quic, false);
            boolean open;
            synchronized (lock) {
                open = state == State.STARTED && allLinks.size() < settings.maxConnections();
                if (open) {
                    allLinks.add(link);
                }
            }
            if (!open) {
                counters.refusedConnections.increment();
                quic.close(CloseCode.LIMIT.code(), "too many connections");
                return new ApplicationProtocolConnection() {};
            }
            quic.setConnectionListener(listener(link));
            // a client that does not prove its id in time is dropped
            try {
                timer.schedule(() -> {
                    if (link.remoteNodeId() == null && link.isOpen()) {
                        counters.protocolViolations.increment();
                        link.close(CloseCode.AUTH_TIMEOUT, "no identity proof", true);
                    }
                }, settings.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                link.close(CloseCode.NORMAL, "shutting down", true);
            }
            return new ApplicationProtocolConnection() {
                @Override
                public void acceptPeerInitiatedStream(QuicStream stream) {
                    link.incoming(stream);
                }
            };
        }

        @Override
        public int maxConcurrentPeerInitiatedBidirectionalStreams() {
            return settings.maxStreamsPerConnection();
        }

        @Override
        public int maxConcurrentPeerInitiatedUnidirectionalStreams() {
            return 0;
        }
    }

    private ConnectionListener listener(PeerLink link) {
        return new ConnectionListener() {
            @Override
            public void disconnected(ConnectionTerminatedEvent event) {
                link.terminated(event);
            }
        };
    }

    boolean execute(Runnable task) {
        try {
            workers.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * Runs a blocking task on a worker with a deadline. On expiry the task is interrupted (kwik's
     * waits for stream credit and for the handshake are interruptible) and anything it still
     * produces is handed to {@code discard}.
     */
    private <T> CompletableFuture<T> call(String what, Callable<T> task, Duration deadline, Consumer<T> discard) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Future<?> running;
        try {
            running = workers.submit(() -> {
                try {
                    T value = task.call();
                    if (!result.complete(value)) {
                        discard.accept(value);
                    }
                } catch (Throwable t) {
                    result.completeExceptionally(translate(what, t));
                }
            });
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new ConnectionClosedException("transport closed or overloaded: " + what));
        }
        try {
            var expiry = timer.schedule(() -> {
                if (result.completeExceptionally(new DeadlineExceededException(what + " did not complete within " + deadline.toMillis() + " ms"))) {
                    running.cancel(true);
                }
            }, deadline.toNanos(), TimeUnit.NANOSECONDS);
            result.whenComplete((v, e) -> expiry.cancel(false));
        } catch (RejectedExecutionException e) {
            running.cancel(true);
            result.completeExceptionally(new ConnectionClosedException("transport closed: " + what));
        }
        return result;
    }

    private static Throwable translate(String what, Throwable t) {
        if (t instanceof CompletionException || t instanceof ExecutionException) {
            t = t.getCause();
        }
        if (t instanceof PandoException || t instanceof Error) {
            return t;
        }
        if (t instanceof InterruptedException) {
            return new DeadlineExceededException(what + " was interrupted");
        }
        return new ConnectionClosedException(what + " failed: " + t, t);
    }

    @Override
    public void close() {
        ServerConnector toClose;
        List<CompletableFuture<PeerLink>> pending;
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            boolean started = state == State.STARTED;
            state = State.CLOSED;
            if (!started) {
                return;
            }
            toClose = server;
            pending = new ArrayList<>(dials.values());
        }
        try {
            pending.forEach(f -> f.completeExceptionally(new ConnectionClosedException("transport closed")));
            for (PeerLink link : allLinks.toArray(PeerLink[]::new)) {
                link.close(CloseCode.NORMAL, "node shutting down", true);
            }
        } finally {
            try {
                toClose.close();
            } finally {
                shutdownExecutors();
            }
        }
    }

    private void shutdownExecutors() {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (workers != null) {
            workers.shutdownNow();
            try {
                if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("quic transport workers still busy after close");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** kwik takes its server key from a key store; ours lives in memory only. */
    private static java.security.KeyStore keyStore(NodeCertificate certificate, char[] password) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(KEY_ALIAS, certificate.keyPair().getPrivate(), password,
                new java.security.cert.Certificate[] {certificate.certificate()});
        return ks;
    }

    private static InetSocketAddress resolve(InetSocketAddress unresolved) {
        try {
            return new InetSocketAddress(InetAddress.getByName(unresolved.getHostString()), unresolved.getPort());
        } catch (UnknownHostException e) {
            throw new ConfigurationException("option bind: unknown host " + unresolved.getHostString());
        }
    }

    private static InetSocketAddress[] listenAddresses(DatagramSocket socket) {
        return DirectAddresses.advertised((InetSocketAddress) socket.getLocalSocketAddress()).toArray(InetSocketAddress[]::new);
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
