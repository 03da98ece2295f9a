package dev.pando.transport.quic;

import dev.pando.PublicKey;
import dev.pando.spi.EventSink;
import dev.pando.spi.TransportEvent;
import dev.pando.transport.quic.core.CloseCode;
import dev.pando.transport.quic.core.PeerLinks;
import dev.pando.transport.quic.core.QuicOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link KwikTransport}'s peer table: the transport's lifecycle state, every physical link
 * ({@link PeerLink}) of any state, the authenticated links by remote node, the dials under way by
 * node (so concurrent dials share one handshake), and which peers were reported connected;
 * admission of accepted links, registration (with the replaced-connection rule), the preferred
 * link, and the bookkeeping when a link closes.
 *
 * <p>Locking: {@link #lock} is the transport's one lock; {@link #state}, {@link #links} (each
 * peer's {@link dev.pando.transport.quic.core.PeerLinks}) and {@link #dials} are guarded by it, and the transport and the
 * {@link Dialer} take the same lock to read or change them. Link events
 * (PeerConnected/PeerDisconnected) are emitted under it. {@link #allLinks} is a concurrent set,
 * read without the lock (by the timer's deadline and idle sweeps). Threads: workers (dials,
 * identity proofs), kwik's threads (accepted connections, closes), the timer, and the thread
 * calling {@code close()}.
 */
final class PeerTable {
    enum State { NEW, STARTED, CLOSED }

    private final PublicKey self;
    private final QuicOptions settings;
    private final TransportCounters counters;
    /** Link events; called under {@link #lock}, which keeps them in order (see EventSink). */
    private final EventSink events;

    /** The transport's lock. */
    final Object lock = new Object();
    State state = State.NEW; // guarded by lock
    /** The authenticated links by peer, and whether it was reported connected (rules: {@link PeerLinks}). */
    final Map<PublicKey, PeerLinks<PeerLink>> links = new HashMap<>(); // guarded by lock
    final Map<PublicKey, CompletableFuture<PeerLink>> dials = new HashMap<>(); // guarded by lock
    final Set<PeerLink> allLinks = ConcurrentHashMap.newKeySet();

    PeerTable(PublicKey self, QuicOptions settings, TransportCounters counters, EventSink events) {
        this.self = self;
        this.settings = settings;
        this.counters = counters;
        this.events = events;
    }

    /** The deadline sweep's check: every stream of every link, authenticated or not. */
    boolean checkDeadlines(long now) {
        boolean running = false;
        for (PeerLink link : allLinks) {
            running |= link.checkDeadlines(now);
        }
        return running;
    }

    /** An accepted connection: whether the transport is started and below {@code max_connections} (then it is added). */
    boolean admit(PeerLink link) {
        boolean open;
        synchronized (lock) {
            open = state == State.STARTED && allLinks.size() < settings.maxConnections();
            if (open) {
                allLinks.add(link);
            }
        }
        return open;
    }

    /** The link new streams to the peer use ({@link PeerLinks#preferred}), or null. Under {@link #lock}. */
    PeerLink preferredLink(PublicKey peer) {
        PeerLinks<PeerLink> l = links.get(peer);
        return l == null ? null : l.preferred(self.compareTo(peer) < 0);
    }

    /**
     * Adds an authenticated link to the registry under the rules of {@link PeerLinks} (a link the
     * peer opened beyond {@code max_connections_per_peer} replaces the oldest it opened, which is
     * closed here); false if the transport is closing or the link already closed.
     */
    boolean register(PeerLink link) {
        PeerLinks.Registration<PeerLink> r;
        synchronized (lock) {
            if (state != State.STARTED || !link.isOpen()) {
                return false;
            }
            r = links.computeIfAbsent(link.remoteNodeId(), k -> new PeerLinks<>()).register(link, settings.maxConnectionsPerPeer());
            if (r.connected()) {
                events.emit(new TransportEvent.PeerConnected(link.remoteNodeId()));
            }
        }
        if (r.replaced() != null) {
            counters.replacedConnections.increment();
            r.replaced().close(CloseCode.NORMAL, "replaced by a newer connection from the same node", true);
        }
        return true;
    }

    /** Physical connections of any state, authenticated or not (for tests and diagnostics). */
    int allLinkCount() {
        return allLinks.size();
    }

    /** The authenticated links to a peer, open or not, as they are now. */
    List<PeerLink> linksTo(PublicKey peer) {
        synchronized (lock) {
            PeerLinks<PeerLink> l = links.get(peer);
            return l == null ? new ArrayList<>() : l.all();
        }
    }

    /** Open authenticated physical connections to a peer (for tests and diagnostics). */
    int linkCount(PublicKey peer) {
        synchronized (lock) {
            PeerLinks<PeerLink> l = links.get(peer);
            return l == null ? 0 : l.openCount();
        }
    }

    void linkClosed(PeerLink link) {
        allLinks.remove(link);
        PublicKey peer = link.remoteNodeId();
        if (peer != null) {
            synchronized (lock) {
                PeerLinks<PeerLink> l = links.get(peer);
                // also when another link's registration pruned this closing one first
                if (l != null && l.remove(link)) {
                    events.emit(new TransportEvent.PeerDisconnected(peer));
                }
                if (l != null && l.isEmpty()) {
                    links.remove(peer);
                }
            }
        }
    }
}
