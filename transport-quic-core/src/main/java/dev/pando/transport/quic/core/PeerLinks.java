package dev.pando.transport.quic.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The authenticated links of one QUIC transport to one remote node, and the rules every QUIC
 * provider applies to them (WIRE.md §7):
 * <ul>
 *   <li><b>Which link new streams use:</b> an open link dialed by the smaller of the two node ids,
 *       else any open link. Both nodes pick the same link after a cross-dial, so a protocol's
 *       streams in both directions meet on one connection.</li>
 *   <li><b>How many links a peer may open:</b> at most {@code max_connections_per_peer} links
 *       that this node accepted from it. A peer at the bound that connects again has given up on an
 *       older link, whose close may still be on the way or lost: the new link replaces the oldest one
 *       this node accepted from it (only a node that proved the same id can do this). Links this node
 *       dialed do not count: after a cross-dial each node holds its own link and the peer's, and
 *       neither dial fails.</li>
 *   <li><b>When the peer counts as connected:</b> from its first registered link to the removal of
 *       its last, reported once each way.</li>
 * </ul>
 *
 * <p>Not thread-safe: a provider keeps one per remote node in its peer table and guards it with the
 * table's lock. Closing a replaced link and emitting the events the results ask for are the
 * provider's (after or under its lock, as its threading needs).
 *
 * @param <L> the provider's link type
 */
public final class PeerLinks<L extends PeerLinks.Link> {

    /** What the rules need to know of a provider's link. */
    public interface Link {
        /** Whether the link can still carry streams. */
        boolean isOpen();

        /** Whether the remote node dialed this link (this node accepted it). */
        boolean accepted();
    }

    /**
     * What {@link #register} decided.
     *
     * @param replaced the older accepted link the new one replaces (the provider closes it), or null
     * @param connected whether the peer became connected with this link (report it up)
     */
    public record Registration<L>(L replaced, boolean connected) {
    }

    private final List<L> links = new ArrayList<>();
    private boolean connected;

    /**
     * Adds an authenticated link, first dropping links that are no longer open, under the rules
     * above. Always adds it: a link beyond the bound replaces an older one instead of being refused.
     *
     * @param maxPerPeer the {@code max_connections_per_peer} option, at least 1
     */
    public Registration<L> register(L link, int maxPerPeer) {
        Objects.requireNonNull(link, "link");
        if (maxPerPeer < 1) {
            throw new IllegalArgumentException("max_connections_per_peer must be at least 1, got " + maxPerPeer);
        }
        links.removeIf(l -> !l.isOpen());
        L replaced = null;
        if (link.accepted() && links.stream().filter(Link::accepted).count() >= maxPerPeer) {
            replaced = links.stream().filter(Link::accepted).findFirst().orElseThrow();
            links.remove(replaced);
        }
        links.add(link);
        boolean nowConnected = !connected;
        connected = true;
        return new Registration<>(replaced, nowConnected);
    }

    /**
     * Removes a link (closed, or replaced), dropping links that are no longer open with it.
     *
     * @return whether the peer has no link left and counted as connected: report it down (once)
     */
    public boolean remove(L link) {
        links.remove(link);
        links.removeIf(l -> !l.isOpen());
        if (links.isEmpty() && connected) {
            connected = false;
            return true;
        }
        return false;
    }

    /**
     * The link new streams to this peer use: open and dialed by the smaller node id, else any open
     * one; null if none is open.
     *
     * @param thisNodeIsSmaller whether this node's id sorts before the peer's
     */
    public L preferred(boolean thisNodeIsSmaller) {
        L any = null;
        for (L l : links) {
            if (!l.isOpen()) {
                continue;
            }
            // dialed by the smaller id: by this node (not accepted) if it is the smaller one
            if (l.accepted() != thisNodeIsSmaller) {
                return l;
            }
            if (any == null) {
                any = l;
            }
        }
        return any;
    }

    /** Marks the peer disconnected without removing links (the transport is closing); whether it was connected. */
    public boolean disconnect() {
        boolean was = connected;
        connected = false;
        return was;
    }

    /** Whether the peer counts as connected (reported up and not yet down). */
    public boolean connected() {
        return connected;
    }

    /** Whether {@code link} is held (registered and not removed or pruned since). */
    public boolean holds(L link) {
        return links.contains(link);
    }

    /** Whether no link, open or not, is held. */
    public boolean isEmpty() {
        return links.isEmpty();
    }

    /** Open links. */
    public int openCount() {
        return (int) links.stream().filter(Link::isOpen).count();
    }

    /** The links held, open or not, as they are now (a copy). */
    public List<L> all() {
        return new ArrayList<>(links);
    }
}
