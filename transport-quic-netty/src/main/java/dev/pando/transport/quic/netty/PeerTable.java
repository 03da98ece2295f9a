package dev.pando.transport.quic.netty;

import dev.pando.ConnectionClosedException;
import dev.pando.PublicKey;
import dev.pando.spi.EventSink;
import dev.pando.spi.TransportEvent;
import dev.pando.transport.quic.core.Alpn;
import dev.pando.transport.quic.core.CloseCode;
import dev.pando.transport.quic.core.PeerLinks;
import dev.pando.transport.quic.core.QuicOptions;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.quic.QuicChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link QuicNettyTransport}'s peer table: the transport's lifecycle state, every physical
 * link ({@link QuicLink}), and per remote node its authenticated links, protocol connections,
 * unanswered CLOSE_CONNECTIONs and coalesced dial; link admission, registration (with the
 * replaced-connection rule), keep-alives, and the bookkeeping when a link fails or closes.
 *
 * <p>Locking: {@link #lock} is the transport's one lock; {@link #state}, {@link #peers} and
 * {@link #allLinks} (and everything reachable from a {@link Peer}) are guarded by it, and the
 * {@link Dialer}, the {@link ControlExchange} and the transport itself take the same lock to read
 * or change them. Link events (PeerConnected/PeerDisconnected) are emitted under it. Threads:
 * the link's event loop (admission, registration, closes, keep-alive timer), dialing callers and
 * the callback thread (via the dialer and the control exchange), and the thread calling
 * {@code close()} ({@link #closeAll}).
 */
final class PeerTable {
    private static final Logger LOG = LoggerFactory.getLogger(QuicNettyTransport.class);
    /** TLS alerts (RFC 8446 6): no_application_protocol, handshake_failure. */
    private static final int TLS_NO_APPLICATION_PROTOCOL = 120;
    private static final int TLS_HANDSHAKE_FAILURE = 40;

    enum State { NEW, STARTED, CLOSED }

    /** What this transport knows about one remote node; guarded by {@link #lock}. */
    static final class Peer {
        final PublicKey id;
        /** The authenticated links, and whether the peer was reported connected (rules: {@link PeerLinks}). */
        final PeerLinks<QuicLink> links = new PeerLinks<>();
        final Map<String, QuicNettyConnection> connections = new HashMap<>();
        /** CLOSE_CONNECTIONs sent and not yet answered, by protocol: a dial for one waits for it. */
        final Map<String, CompletableFuture<Void>> closing = new HashMap<>();
        CompletableFuture<QuicLink> dialing;

        Peer(PublicKey id) {
            this.id = id;
        }

        boolean isEmpty() {
            return links.isEmpty() && connections.isEmpty() && closing.isEmpty() && dialing == null;
        }
    }

    /** What {@link #closeAll} took out of the table, for the caller to close outside the lock. */
    record Snapshot(List<QuicLink> links, List<QuicNettyConnection> connections, List<CompletableFuture<QuicLink>> dials) {}

    private final QuicNettyTransport transport;
    private final QuicOptions options;
    /** Link events; called under {@link #lock}, which keeps them in order (see EventSink). */
    private final EventSink events;
    private final PublicKey self;

    /** The transport's lock. */
    final Object lock = new Object();
    // guarded by lock
    final Map<PublicKey, Peer> peers = new HashMap<>();
    final List<QuicLink> allLinks = new ArrayList<>();
    State state = State.NEW;

    PeerTable(QuicNettyTransport transport, QuicOptions options, EventSink events, PublicKey self) {
        this.transport = transport;
        this.options = options;
        this.events = events;
        this.self = self;
    }

    /**
     * Marks the transport closed and empties the table, reporting connected peers down; null if it
     * was not started (or was already closed). Called by {@code close()}.
     */
    Snapshot closeAll() {
        List<QuicLink> links;
        List<QuicNettyConnection> connections = new ArrayList<>();
        List<CompletableFuture<QuicLink>> dials = new ArrayList<>();
        synchronized (lock) {
            if (state == State.CLOSED) {
                return null;
            }
            boolean wasStarted = state == State.STARTED;
            state = State.CLOSED;
            if (!wasStarted) {
                return null;
            }
            links = new ArrayList<>(allLinks);
            for (Map.Entry<PublicKey, Peer> e : peers.entrySet()) {
                Peer p = e.getValue();
                connections.addAll(p.connections.values());
                if (p.dialing != null) {
                    dials.add(p.dialing);
                }
                if (p.links.disconnect()) {
                    // the links close below, after the peers are forgotten: report them down now
                    events.emit(new TransportEvent.PeerDisconnected(e.getKey()));
                }
            }
            peers.clear();
        }
        return new Snapshot(links, connections, dials);
    }

    boolean isClosed() {
        synchronized (lock) {
            return state == State.CLOSED;
        }
    }

    /** The link new streams to {@code peer} use ({@link PeerLinks#preferred}), or null. Under {@link #lock}. */
    QuicLink preferredLink(Peer peer) {
        return peer.links.preferred(self.compareTo(peer.id) < 0);
    }

    void acceptedLinkActive(QuicLink link) {
        if (Alpn.OTHER_NETWORK.equals(link.channel.sslEngine().getApplicationProtocol())) {
            // a node of another network: tell it so instead of leaving it to time out
            transport.count("other_network");
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
            transport.count("refused_connections");
            link.channel.close(true, CloseCode.LIMIT.code(), Unpooled.copiedBuffer("too many connections", StandardCharsets.US_ASCII));
            return;
        }
        // WIRE.md section 3: a client that does not prove itself in time is disconnected
        link.channel.eventLoop().schedule(() -> {
            if (!link.authenticated.isDone()) {
                transport.count("auth_timeouts");
                closeLink(link, CloseCode.AUTH_TIMEOUT, "no proof of identity in time");
            }
        }, options.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Records a link whose remote id is now proven (under the rules of {@link PeerLinks}, which
     * admit every link). Returns null, or "transport closed" if it is (the caller closes the link).
     * Runs on the link's event loop.
     */
    String registerLink(QuicLink link, PublicKey remote) {
        PeerLinks.Registration<QuicLink> r;
        synchronized (lock) {
            if (state != State.STARTED) {
                return "transport closed";
            }
            Peer p = peers.computeIfAbsent(remote, Peer::new);
            link.remote = remote;
            r = p.links.register(link, options.maxConnectionsPerPeer());
            if (r.connected()) {
                events.emit(new TransportEvent.PeerConnected(remote));
            }
        }
        if (r.replaced() != null) {
            transport.count("replaced_connections");
            closeLink(r.replaced(), CloseCode.NORMAL, "replaced by a newer connection from the same node");
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

    static void closeLink(QuicLink link, CloseCode code, String reason) {
        QuicChannel ch = link.channel;
        if (ch != null && ch.isOpen()) {
            ch.close(true, code.code(), Unpooled.copiedBuffer(reason.length() > 100 ? reason.substring(0, 100) : reason, StandardCharsets.UTF_8));
        }
    }

    void forgetUnregistered(QuicLink link) {
        synchronized (lock) {
            allLinks.remove(link);
        }
    }

    void linkFailed(QuicLink link, Throwable cause) {
        transport.count("connection_errors");
        LOG.debug("QUIC connection {} failed", link, cause);
        QuicChannel ch = link.channel;
        if (Dialer.hasCause(cause, SSLException.class) && ch != null && ch.isOpen()) {
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
            if (p != null) {
                boolean held = p.links.holds(link);
                // also when another link's registration pruned this closed one first
                if (p.links.remove(link)) {
                    events.emit(new TransportEvent.PeerDisconnected(remote));
                }
                if (held && p.links.isEmpty()) {
                    lost = new ArrayList<>(p.connections.values());
                    p.connections.clear();
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

    /** Number of open, authenticated physical connections to {@code remote} (for tests). */
    int linkCount(PublicKey remote) {
        synchronized (lock) {
            Peer p = peers.get(remote);
            return p == null ? 0 : p.links.openCount();
        }
    }

    /** Number of physical connections (for tests). */
    int linkCount() {
        synchronized (lock) {
            return allLinks.size();
        }
    }
}
