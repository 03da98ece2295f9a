package dev.pando.transport.quic;

import dev.pando.PublicKey;
import dev.pando.spi.EventSink;
import dev.pando.spi.TransportEvent;
import dev.pando.transport.quic.core.CloseCode;
import dev.pando.transport.quic.core.QuicOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
 * <p>Locking: {@link #lock} is the transport's one lock; {@link #state}, {@link #links},
 * {@link #dials} and {@link #connected} are guarded by it, and the transport and the
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
    final Map<PublicKey, List<PeerLink>> links = new HashMap<>(); // guarded by lock
    final Map<PublicKey, CompletableFuture<PeerLink>> dials = new HashMap<>(); // guarded by lock
    /** Peers reported with PeerConnected and not yet with PeerDisconnected. */
    final Set<PublicKey> connected = new HashSet<>(); // guarded by lock
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

    /** Open authenticated link to the peer; the one dialed by the smaller node id wins ties. Under {@link #lock}. */
    PeerLink preferredLink(PublicKey peer) {
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

    /**
     * Adds an authenticated link to the registry; false if the transport is closing or the link
     * already closed. A peer at its {@code max_connections_per_peer} that dials again has given up
     * on an older link (its close may still be on the way, or lost): the new link replaces the
     * oldest one this node accepted from it. Only a node that proved the same id can do this.
     */
    boolean register(PeerLink link) {
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

    /** Physical connections of any state, authenticated or not (for tests and diagnostics). */
    int allLinkCount() {
        return allLinks.size();
    }

    /** The authenticated links to a peer, open or not, as they are now. */
    List<PeerLink> linksTo(PublicKey peer) {
        synchronized (lock) {
            return new ArrayList<>(links.getOrDefault(peer, List.of()));
        }
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
}
