package dev.pando.transport.quic;

import dev.pando.ConfigurationException;
import dev.pando.ConnectionClosedException;
import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PandoException;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.spi.Connection;
import dev.pando.spi.EventSink;
import dev.pando.spi.ProtocolNames;
import dev.pando.spi.Transport;
import dev.pando.transport.quic.core.Alpn;
import dev.pando.transport.quic.core.CloseCode;
import dev.pando.transport.quic.core.DirectAddresses;
import dev.pando.transport.quic.core.NodeCertificate;
import dev.pando.transport.quic.core.QuicOptions;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.QuicStream;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ServerConnector;

/**
 * The "quic" transport: Pando's wire scheme (see transport-wire in the design notes and the
 * module README) over kwik. One server connector on a socket we bind; one kwik client connection
 * per dial. All blocking kwik calls run on a bounded worker pool with deadlines from a single
 * timer thread; kwik's own callbacks only hand work over.
 *
 * <p>This class keeps the lifecycle ({@code accept}, {@code start}, {@code close}), the SPI
 * surface and the wiring; package-private collaborators in the same package do the work:
 * {@link Tasks} (workers, timer, deadlines), {@link PeerTable} (lifecycle state, links, dials
 * under way, under the transport's one lock), {@link Dialer}, {@link Acceptor} (kwik's server
 * side), {@link IdentityProof} and {@link ControlExchange} (protocol connections, incoming
 * streams, opening streams). {@link PeerLink}s call in through the package-private methods below.
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

    private final PrivateKey identity;
    private final PublicKey self;
    private final QuicOptions settings;
    private final String alpn;
    private final Map<String, Consumer<Connection>> acceptors = new ConcurrentHashMap<>();
    private final TransportCounters counters = new TransportCounters();

    private final PeerTable table;
    private final Tasks tasks = new Tasks();
    private final IdentityProof proof;
    private final ControlExchange exchange;
    private final Dialer dialer;

    private ServerConnector server;
    private NodeCertificate tls;
    private NodeAddress localAddress;

    KwikTransport(PrivateKey identity, NetworkId networkId, QuicOptions settings, EventSink events) {
        this.identity = identity;
        this.self = identity.publicKey();
        this.settings = settings;
        this.alpn = Alpn.of(networkId);
        this.table = new PeerTable(self, settings, counters, events);
        this.proof = new IdentityProof(this, identity, settings, counters, table);
        this.exchange = new ControlExchange(settings, counters, acceptors, table, tasks, proof);
        this.dialer = new Dialer(this, self, alpn, settings, table, tasks, exchange, proof);
    }

    QuicOptions settings() {
        return settings;
    }

    TransportCounters counters() {
        return counters;
    }

    Deadlines deadlines() {
        return tasks.deadlines();
    }

    /** This node's certificate, set in {@code start()}. */
    NodeCertificate tls() {
        return tls;
    }

    @Override
    public void accept(String protocol, Consumer<Connection> handler) {
        ProtocolNames.validate(protocol);
        synchronized (table.lock) {
            if (table.state != PeerTable.State.NEW) {
                throw new IllegalStateException("accept must be called before start");
            }
            if (acceptors.putIfAbsent(protocol, handler) != null) {
                throw new IllegalStateException("protocol already accepted: " + protocol);
            }
        }
    }

    @Override
    public void start() {
        synchronized (table.lock) {
            if (table.state != PeerTable.State.NEW) {
                throw new IllegalStateException("transport already " + (table.state == PeerTable.State.STARTED ? "started" : "closed"));
            }
            tasks.start(table::checkDeadlines);
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
                server.registerApplicationProtocol(alpn, new Acceptor(this, table, settings, counters, tasks));
                // WIRE.md section 1: a dialer of another network negotiates pando/1 and is told so
                server.registerApplicationProtocol(Alpn.OTHER_NETWORK, (protocol, quic) -> {
                    counters.otherNetwork.increment();
                    quic.close(CloseCode.OTHER_NETWORK.code(), "other network");
                    return new ApplicationProtocolConnection() { };
                });
                server.start();
                localAddress = NodeAddress.direct(self, listenAddresses(socket));
                long sweep = Math.max(1_000, settings.idleTimeout().toMillis() / 4);
                tasks.timer().scheduleWithFixedDelay(this::closeUnusedLinks, sweep, sweep, TimeUnit.MILLISECONDS);
                table.state = PeerTable.State.STARTED;
            } catch (Exception e) {
                // kwik owns the socket once the connector exists; before that it is ours to close
                if (server != null) {
                    server.close();
                } else if (socket != null) {
                    socket.close();
                }
                tasks.shutDown();
                table.state = PeerTable.State.CLOSED;
                if (e instanceof PandoException p) {
                    throw p;
                }
                throw new ConfigurationException("cannot start the quic transport on " + Dialer.text(settings.bind()) + ": " + e.getMessage(), e);
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
        synchronized (table.lock) {
            if (localAddress == null) {
                throw new IllegalStateException("transport not started");
            }
            return localAddress;
        }
    }

    @Override
    public CompletableFuture<Connection> dial(NodeAddress remote, String protocol) {
        return dialer.dial(remote, protocol);
    }

    /**
     * True if some direct address of {@code remote} is of a family (and scope) the socket bound to
     * the {@code bind} option can send to; relay URLs are not this transport's.
     */
    @Override
    public boolean supports(NodeAddress remote) {
        return dialer.supports(remote);
    }

    @Override
    public void close() {
        ServerConnector toClose;
        List<CompletableFuture<PeerLink>> pending;
        synchronized (table.lock) {
            if (table.state == PeerTable.State.CLOSED) {
                return;
            }
            boolean started = table.state == PeerTable.State.STARTED;
            table.state = PeerTable.State.CLOSED;
            if (!started) {
                return;
            }
            toClose = server;
            pending = new ArrayList<>(table.dials.values());
        }
        try {
            pending.forEach(f -> f.completeExceptionally(new ConnectionClosedException("transport closed")));
            for (PeerLink link : table.allLinks.toArray(PeerLink[]::new)) {
                link.close(CloseCode.NORMAL, "node shutting down", true);
            }
        } finally {
            try {
                toClose.close();
            } finally {
                tasks.shutDown();
            }
        }
    }

    private void closeUnusedLinks() {
        long now = System.nanoTime();
        for (PeerLink link : table.allLinks) {
            if (link.remoteNodeId() != null && link.unusedFor(settings.idleTimeout(), now)) {
                execute(() -> link.close(CloseCode.NORMAL, "unused", true));
            }
        }
    }

    // ---------------------------------------------------------------- from links, and for tests

    boolean execute(Runnable task) {
        return tasks.execute(task);
    }

    /** Runs on a worker: an incoming stream's auth or preamble (see {@link ControlExchange#handleIncoming}). */
    void handleIncoming(PeerLink link, QuicStream q) {
        exchange.handleIncoming(link, q);
    }

    /** See {@link ControlExchange#openStream}. */
    CompletableFuture<KwikStream> openStream(PeerLink link, byte[] preamble, Duration timeout) {
        return exchange.openStream(link, preamble, timeout);
    }

    void forget(ProtocolConnection c) {
        exchange.forget(c);
    }

    /** See {@link ControlExchange#sendClose}. */
    void sendClose(PeerLink link, String protocol) {
        exchange.sendClose(link, protocol);
    }

    void linkClosed(PeerLink link) {
        table.linkClosed(link);
    }

    /** Physical connections of any state, authenticated or not (for tests and diagnostics). */
    int allLinkCount() {
        return table.allLinkCount();
    }

    /** Closes every physical connection to a peer, as a stall does; the next dial makes a new one. */
    void disconnect(PublicKey peer) {
        List<PeerLink> l = table.linksTo(peer);
        l.forEach(link -> link.close(CloseCode.NORMAL, "disconnect", true));
    }

    /** Open authenticated physical connections to a peer (for tests and diagnostics). */
    int linkCount(PublicKey peer) {
        return table.linkCount(peer);
    }

    // ---------------------------------------------------------------- helpers

    /** kwik takes its server key from a key store; ours lives in memory only. */
    private static java.security.KeyStore keyStore(NodeCertificate certificate, char[] password) throws Exception {
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(KEY_ALIAS, certificate.keyPair().getPrivate(), password,
                new java.security.cert.Certificate[] {certificate.certificate()});
        return ks;
    }

    static InetSocketAddress resolve(InetSocketAddress unresolved) {
        try {
            return new InetSocketAddress(InetAddress.getByName(unresolved.getHostString()), unresolved.getPort());
        } catch (UnknownHostException e) {
            throw new ConfigurationException("option bind: unknown host " + unresolved.getHostString());
        }
    }

    private static InetSocketAddress[] listenAddresses(DatagramSocket socket) {
        return DirectAddresses.advertised((InetSocketAddress) socket.getLocalSocketAddress()).toArray(InetSocketAddress[]::new);
    }
}
