package dev.pando.gossip;

import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import dev.pando.gossip.Wire.Announcement;
import dev.pando.gossip.Wire.MessageId;
import dev.pando.spi.Cancellable;
import dev.pando.spi.GossipListener;
import dev.pando.spi.GossipTopic;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One topic's overlay: HyParView membership (Leitão, Pereira, Rodrigues, DSN 2007) and PlumTree
 * broadcast (Leitão, Pereira, Rodrigues, SRDS 2007) over it.
 *
 * <p>HyParView keeps a small <em>active view</em> (the neighbours, each over an open link) and a
 * larger <em>passive view</em> of addresses to replace failed neighbours with. A joining node asks
 * its contacts, which take it in and spread it along random walks ({@code FORWARD_JOIN}); a walk
 * that ends adds it to the active view of the node there, and the node at the passive walk length
 * keeps it as a spare. Becoming neighbours is a request and an answer ({@code NEIGHBOR}, accept or
 * reject; a node without neighbours asks with high priority, which is never refused). Each shuffle
 * period a node sends a sample of its views along a random walk and swaps it for the passive view
 * of the node where the walk ends.
 *
 * <p>PlumTree pushes each new message eagerly to the <em>eager</em> neighbours and announces its id
 * ({@code IHAVE}, batched for a few milliseconds) to the <em>lazy</em> ones. A duplicate turns its
 * sender lazy ({@code PRUNE}); an announced message that does not arrive within the graft timeout
 * is requested ({@code GRAFT}), which also makes the announcer eager again, so the eager links
 * converge to a spanning tree and the lazy ones repair it.
 *
 * <p>Every method runs with the service's lock held.
 */
final class Overlay implements GossipTopic {
    private static final Logger LOG = LoggerFactory.getLogger(Overlay.class);
    /** Listener events waiting; beyond this, received messages are dropped and counted. */
    private static final int LISTENER_QUEUE = 8192;
    /** Announcers remembered per missing message. */
    private static final int ANNOUNCERS = 8;
    private static final Duration MAX_JOIN_RETRY = Duration.ofSeconds(30);
    /** Lost neighbours remembered, and how many shuffle periods each is tried. */
    private static final int LOST = 16;
    private static final int LOST_TRIES = 10;

    final TopicId topic;
    private final PlumtreeGossip service;
    private final PlumtreeOptions options;
    private final GossipListener listener;

    // HyParView
    private final LinkedHashMap<PublicKey, NodeAddress> active = new LinkedHashMap<>();
    private final LinkedHashMap<PublicKey, NodeAddress> passive = new LinkedHashMap<>();
    private final Map<PublicKey, Cancellable> pending = new HashMap<>();
    private final Map<PublicKey, NodeAddress> pendingAddress = new HashMap<>();
    private List<NodeAddress> contacts = List.of();
    /**
     * Neighbours whose link failed (not a goodbye), with the tries left to reach them again: one is
     * tried each shuffle period, with high priority. Without this, the two sides of a network
     * partition forget each other (every failed dial across it drops a spare) and stay two
     * overlays after it heals.
     */
    private final LinkedHashMap<PublicKey, NodeAddress> lost = new LinkedHashMap<>();
    private final Map<PublicKey, Integer> lostTries = new HashMap<>();
    private List<NodeAddress> lastShuffle = List.of();
    private Duration joinBackoff;
    private boolean joinRetryScheduled;
    private boolean refillScheduled;

    // PlumTree
    private final Set<PublicKey> eager = new LinkedHashSet<>();
    private final Set<PublicKey> lazy = new LinkedHashSet<>();
    private final Map<PublicKey, List<Announcement>> lazyQueue = new LinkedHashMap<>();
    private boolean dispatchScheduled;
    /** Announced messages not received yet, with who announced them at which round. */
    private final Map<MessageId, ArrayDeque<Claim>> missing = new HashMap<>();
    /**
     * The newest messages (at most {@link Wire#MAX_IHAVES}) with when this node first had them:
     * those of the last {@code catch_up} are announced to each neighbour that comes up, so a message
     * pushed while the views were changing (by a node with no neighbour yet, or over a link that was
     * just being replaced) still reaches the nodes that link joins.
     */
    private final ArrayDeque<Recent> recent = new ArrayDeque<>();
    private final Set<MessageId> graftScheduled = new HashSet<>();
    private final Expiring<MessageId, Boolean> seen;
    private final Expiring<MessageId, Cached> bodies;

    boolean closed;

    // the listener's queue, guarded by events
    private final ArrayDeque<Consumer<GossipListener>> events = new ArrayDeque<>();
    private boolean dispatching;
    private Thread dispatcher;
    private boolean silenced;

    private record Cached(int round, byte[] payload) {
    }

    private record Recent(Announcement announcement, long seenNanos) {
    }

    private record Claim(PublicKey peer, int round) {
    }

    Overlay(PlumtreeGossip service, TopicId topic, GossipListener listener) {
        this.service = service;
        this.options = service.options;
        this.topic = topic;
        this.listener = listener;
        this.seen = new Expiring<>(options.idCache(), options.idRetention().toNanos());
        this.bodies = new Expiring<>(options.messageCache(), options.messageRetention().toNanos());
        this.joinBackoff = options.neighborTimeout().multipliedBy(2);
    }

    @Override
    public TopicId topic() {
        return topic;
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    void start(List<NodeAddress> known) {
        List<NodeAddress> shuffled = new ArrayList<>(known);
        shuffle(shuffled);
        contacts = List.copyOf(shuffled.subList(0, Math.min(shuffled.size(), options.joinContacts())));
        for (NodeAddress a : known) {
            addPassive(a);
        }
        sendJoins();
        scheduleShuffle();
    }

    /** Sends JOIN to every contact; retried with backoff while this node has no neighbour. */
    private void sendJoins() {
        NodeAddress me = service.selfAddress();
        if (me != null) {
            for (NodeAddress c : contacts) {
                if (!active.containsKey(c.nodeId())) {
                    ask(c, new Wire.Join(me));
                }
            }
        }
        if (!contacts.isEmpty() && !joinRetryScheduled) {
            joinRetryScheduled = true;
            Duration delay = joinBackoff;
            joinBackoff = joinBackoff.multipliedBy(2).compareTo(MAX_JOIN_RETRY) > 0 ? MAX_JOIN_RETRY : joinBackoff.multipliedBy(2);
            service.schedule(() -> {
                joinRetryScheduled = false;
                if (!closed && active.isEmpty()) {
                    sendJoins();
                }
            }, delay);
        }
    }

    private void scheduleShuffle() {
        // a little jitter keeps the nodes of one simulation (or one deployment) from shuffling in step
        long base = options.shuffleInterval().toNanos();
        long jitter = base / 10 == 0 ? 0 : service.random.nextLong(base / 5) - base / 10;
        service.schedule(this::shuffleTick, Duration.ofNanos(base + jitter));
    }

    /**
     * Peers the node learned share this topic: kept as spares (passive view); alone, this node
     * JOINs through them as through its first contacts; with free places in its active view, it
     * asks them to be neighbours.
     */
    @Override
    public void joinPeers(Collection<NodeAddress> peers) {
        Objects.requireNonNull(peers, "peers");
        service.locked(() -> {
            if (closed) {
                throw new IllegalStateException("topic " + topic + " was left");
            }
            List<NodeAddress> fresh = new ArrayList<>();
            for (NodeAddress a : peers) {
                if (!a.nodeId().equals(service.self) && !active.containsKey(a.nodeId())
                        && !pending.containsKey(a.nodeId())) {
                    addPassive(a);
                    fresh.add(a);
                }
            }
            if (fresh.isEmpty()) {
                return;
            }
            if (active.isEmpty()) {
                List<NodeAddress> merged = new ArrayList<>(fresh);
                for (NodeAddress c : contacts) {
                    if (merged.size() < options.joinContacts() && fresh.stream().noneMatch(f -> f.nodeId().equals(c.nodeId()))) {
                        merged.add(c);
                    }
                }
                contacts = List.copyOf(merged.subList(0, Math.min(merged.size(), options.joinContacts())));
                sendJoins();
                return;
            }
            NodeAddress me = service.selfAddress();
            int free = options.activeView() - active.size() - pending.size();
            for (int i = 0; me != null && i < Math.min(free, fresh.size()); i++) {
                ask(fresh.get(i), new Wire.Neighbor(me, false));
            }
        });
    }

    @Override
    public void broadcast(byte[] message) {
        Objects.requireNonNull(message, "message");
        if (message.length > options.maxMessageBytes()) {
            throw new IllegalArgumentException("a gossip message of " + message.length + " bytes is over the limit of "
                    + options.maxMessageBytes() + " bytes");
        }
        byte[] payload = message.clone();
        service.locked(() -> {
            if (closed) {
                throw new IllegalStateException("topic " + topic + " was left");
            }
            // a random id: two broadcasts of equal bytes are two messages
            MessageId id = new MessageId(service.random.nextLong(), service.random.nextLong());
            seen.put(id, Boolean.TRUE, now());
            bodies.put(id, new Cached(0, payload), now());
            remember(new Announcement(id, 0));
            push(id, 0, payload, null);
        });
    }

    @Override
    public void close() {
        service.locked(() -> {
            if (closed) {
                return;
            }
            closed = true;
            service.removeOverlay(this);
            for (PublicKey p : active.keySet()) {
                service.send(p, topic, new Wire.Disconnect(false));
                service.releaseLater(p);
            }
            for (Cancellable c : pending.values()) {
                c.cancel();
            }
            active.clear();
            passive.clear();
            pending.clear();
            lost.clear();
            lostTries.clear();
            eager.clear();
            lazy.clear();
            lazyQueue.clear();
            missing.clear();
            recent.clear();
        });
        synchronized (events) {
            silenced = true;
            events.clear();
            // the listener hears nothing after close returns: wait for a call in progress, unless
            // this is that call (the listener must not call back, but be safe)
            while (dispatcher != null && dispatcher != Thread.currentThread()) {
                try {
                    events.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    /** The active view now (for tests and diagnostics); takes the lock. */
    List<PublicKey> activeView() {
        List<PublicKey> r = new ArrayList<>();
        service.locked(() -> r.addAll(active.keySet()));
        return r;
    }

    /** The passive view now (for tests and diagnostics); takes the lock. */
    List<PublicKey> passiveView() {
        List<PublicKey> r = new ArrayList<>();
        service.locked(() -> r.addAll(passive.keySet()));
        return r;
    }

    /** The neighbours messages are pushed to eagerly now (for tests and diagnostics); takes the lock. */
    List<PublicKey> eagerPeers() {
        List<PublicKey> r = new ArrayList<>();
        service.locked(() -> r.addAll(eager));
        return r;
    }

    /** Whether this overlay needs the link to {@code peer}. */
    boolean uses(PublicKey peer) {
        return active.containsKey(peer) || pending.containsKey(peer);
    }

    // ---- input --------------------------------------------------------------------------------

    void handle(PublicKey from, Wire.Message m) {
        if (closed) {
            return;
        }
        if (m instanceof Wire.Gossip g) {
            onGossip(from, g);
        } else if (m instanceof Wire.IHave h) {
            onIHave(from, h);
        } else if (m instanceof Wire.Graft g) {
            onGraft(from, g);
        } else if (m instanceof Wire.Prune) {
            onPrune(from);
        } else if (m instanceof Wire.Join j) {
            onJoin(from, j);
        } else if (m instanceof Wire.ForwardJoin f) {
            onForwardJoin(from, f);
        } else if (m instanceof Wire.Neighbor n) {
            onNeighbor(from, n);
        } else if (m instanceof Wire.NeighborAccept) {
            onNeighborAccept(from);
        } else if (m instanceof Wire.NeighborReject) {
            onNeighborReject(from);
        } else if (m instanceof Wire.Disconnect d) {
            onDisconnect(from, d);
        } else if (m instanceof Wire.Shuffle s) {
            onShuffle(from, s);
        } else if (m instanceof Wire.ShuffleReply r) {
            integrate(r.addresses(), lastShuffle);
            service.releaseLater(from);
        }
    }

    /**
     * The link to {@code peer} went down: it is no longer a neighbour (it is retried as a lost
     * one), and a request to it in flight failed. A spare stays a spare: links to spares close
     * all the time (either side releases a link it only used for a shuffle or a refused request),
     * and a spare that is gone is dropped when it cannot be dialed or says it left the topic.
     */
    void linkDown(PublicKey peer) {
        if (closed) {
            return;
        }
        Cancellable c = pending.remove(peer);
        if (c != null) {
            c.cancel();
            pendingAddress.remove(peer);
            passive.remove(peer);
        }
        boolean wasActive = active.containsKey(peer);
        NodeAddress address = active.remove(peer);
        if (wasActive) {
            neighbourDown(peer);
            if (address != null) {
                lost.remove(peer);
                while (lost.size() >= LOST) {
                    PublicKey oldest = lost.keySet().iterator().next();
                    lost.remove(oldest);
                    lostTries.remove(oldest);
                }
                lost.put(peer, address);
                lostTries.put(peer, LOST_TRIES);
            }
        }
        refillSoon(Duration.ZERO);
    }

    /** A dial to {@code peer} failed. */
    void unreachable(PublicKey peer) {
        if (closed) {
            return;
        }
        Cancellable c = pending.remove(peer);
        if (c != null) {
            c.cancel();
            pendingAddress.remove(peer);
        }
        passive.remove(peer);
        refillSoon(options.neighborTimeout());
    }

    // ---- HyParView ----------------------------------------------------------------------------

    private void onJoin(PublicKey from, Wire.Join j) {
        if (!j.joiner().nodeId().equals(from)) {
            service.hostile(from, "a JOIN for another node");
            return;
        }
        if (!active.containsKey(from)) {
            addActive(from, j.joiner());
            for (PublicKey p : List.copyOf(active.keySet())) {
                if (!p.equals(from)) {
                    service.send(p, topic, new Wire.ForwardJoin(j.joiner(), options.activeWalk()));
                }
            }
        }
        service.send(from, topic, new Wire.NeighborAccept());
        announceRecent(from);
    }

    private void onForwardJoin(PublicKey from, Wire.ForwardJoin f) {
        PublicKey joiner = f.joiner().nodeId();
        if (joiner.equals(service.self)) {
            return;
        }
        int ttl = Math.min(f.ttl(), options.activeWalk());
        if (ttl == 0 || active.size() <= 1) {
            if (!active.containsKey(joiner) && !pending.containsKey(joiner)) {
                NodeAddress me = service.selfAddress();
                if (me != null) {
                    ask(f.joiner(), new Wire.Neighbor(me, true));
                }
            }
            return;
        }
        if (ttl == options.passiveWalk()) {
            addPassive(f.joiner());
        }
        List<PublicKey> next = new ArrayList<>();
        for (PublicKey p : active.keySet()) {
            if (!p.equals(from) && !p.equals(joiner)) {
                next.add(p);
            }
        }
        if (next.isEmpty()) {
            if (!active.containsKey(joiner) && !pending.containsKey(joiner)) {
                NodeAddress me = service.selfAddress();
                if (me != null) {
                    ask(f.joiner(), new Wire.Neighbor(me, true));
                }
            }
            return;
        }
        service.send(next.get(service.random.nextInt(next.size())), topic, new Wire.ForwardJoin(f.joiner(), ttl - 1));
    }

    private void onNeighbor(PublicKey from, Wire.Neighbor n) {
        if (!n.asker().nodeId().equals(from)) {
            service.hostile(from, "a NEIGHBOR request for another node");
            return;
        }
        if (active.containsKey(from)) {
            service.send(from, topic, new Wire.NeighborAccept());
            return;
        }
        if (n.high() || active.size() < options.activeView()) {
            addActive(from, n.asker());
            service.send(from, topic, new Wire.NeighborAccept());
            announceRecent(from);
        } else {
            addPassive(n.asker());
            service.send(from, topic, new Wire.NeighborReject());
            service.releaseLater(from);
        }
    }

    private void onNeighborAccept(PublicKey from) {
        Cancellable c = pending.remove(from);
        NodeAddress address = pendingAddress.remove(from);
        if (c != null) {
            c.cancel();
        }
        if (active.containsKey(from)) {
            return;
        }
        if (address == null) {
            address = passive.get(from);
        }
        if (address == null) {
            for (NodeAddress a : contacts) {
                if (a.nodeId().equals(from)) {
                    address = a;
                }
            }
        }
        // the peer took this node in already: agree, or the two would disagree on being neighbours
        addActive(from, address);
        announceRecent(from);
    }

    private void onNeighborReject(PublicKey from) {
        Cancellable c = pending.remove(from);
        pendingAddress.remove(from);
        if (c != null) {
            c.cancel();
        }
        service.releaseLater(from);
        refillSoon(options.neighborTimeout());
    }

    private void onDisconnect(PublicKey from, Wire.Disconnect d) {
        boolean was = active.containsKey(from);
        NodeAddress address = active.remove(from);
        if (!was) {
            if (!d.alive()) {
                // also the answer of a node that is not in the topic to a request (JOIN, NEIGHBOR)
                passive.remove(from);
                lost.remove(from);
                lostTries.remove(from);
                Cancellable c = pending.remove(from);
                if (c != null) {
                    c.cancel();
                    pendingAddress.remove(from);
                    refillSoon(Duration.ZERO);
                }
            }
            return;
        }
        neighbourDown(from);
        if (d.alive() && address != null) {
            addPassive(address);
        } else {
            passive.remove(from);
        }
        service.releaseLater(from);
        refillSoon(Duration.ZERO);
    }

    /** Sends a request that expects NEIGHBOR_ACCEPT or _REJECT, with a timeout. */
    private void ask(NodeAddress to, Wire.Message request) {
        PublicKey peer = to.nodeId();
        if (peer.equals(service.self)) {
            return;
        }
        Cancellable old = pending.remove(peer);
        if (old != null) {
            old.cancel();
        }
        pendingAddress.put(peer, to);
        Cancellable[] handle = new Cancellable[1];
        Runnable timeout = () -> {
            if (!closed && pending.get(peer) == handle[0]) {
                pending.remove(peer);
                pendingAddress.remove(peer);
                // an answer may still come (a busy peer): it is taken then; meanwhile try another
                refillSoon(options.neighborTimeout());
            }
        };
        handle[0] = scheduleCancellable(timeout, options.neighborTimeout());
        pending.put(peer, handle[0]);
        service.connectAndSend(to, topic, request);
    }

    private Cancellable scheduleCancellable(Runnable task, Duration delay) {
        boolean[] cancelled = new boolean[1];
        service.schedule(() -> {
            if (!cancelled[0]) {
                task.run();
            }
        }, delay);
        // cancelled and read under the service lock only
        return () -> {
            boolean was = !cancelled[0];
            cancelled[0] = true;
            return was;
        };
    }

    private void addActive(PublicKey peer, NodeAddress address) {
        if (peer.equals(service.self) || active.containsKey(peer)) {
            return;
        }
        while (active.size() >= options.activeView()) {
            List<PublicKey> others = new ArrayList<>(active.keySet());
            PublicKey evicted = others.get(service.random.nextInt(others.size()));
            NodeAddress evictedAddress = active.remove(evicted);
            service.send(evicted, topic, new Wire.Disconnect(true));
            neighbourDown(evicted);
            if (evictedAddress != null) {
                addPassive(evictedAddress);
            }
            service.releaseLater(evicted);
        }
        active.put(peer, address);
        passive.remove(peer);
        lost.remove(peer);
        lostTries.remove(peer);
        eager.add(peer);
        lazy.remove(peer);
        if (address != null && address.nodeId().equals(peer)) {
            dispatch(l -> l.neighbourUp(peer, address), false);
        } else {
            dispatch(l -> l.neighbourUp(peer), false);
        }
    }

    private void neighbourDown(PublicKey peer) {
        eager.remove(peer);
        lazy.remove(peer);
        lazyQueue.remove(peer);
        dispatch(l -> l.neighbourDown(peer), false);
    }

    private void addPassive(NodeAddress address) {
        PublicKey peer = address.nodeId();
        if (peer.equals(service.self) || active.containsKey(peer) || options.passiveView() == 0) {
            return;
        }
        if (passive.containsKey(peer)) {
            passive.put(peer, address);
            return;
        }
        while (passive.size() >= options.passiveView()) {
            List<PublicKey> keys = new ArrayList<>(passive.keySet());
            passive.remove(keys.get(service.random.nextInt(keys.size())));
        }
        passive.put(peer, address);
    }

    private void refillSoon(Duration delay) {
        if (refillScheduled || closed) {
            return;
        }
        refillScheduled = true;
        service.schedule(() -> {
            refillScheduled = false;
            refill();
        }, delay);
    }

    /** Asks spares from the passive view to fill free places in the active view. */
    private void refill() {
        if (closed) {
            return;
        }
        int free = options.activeView() - active.size() - pending.size();
        if (free <= 0) {
            return;
        }
        NodeAddress me = service.selfAddress();
        if (me == null) {
            return;
        }
        List<NodeAddress> candidates = new ArrayList<>();
        for (NodeAddress a : passive.values()) {
            if (!pending.containsKey(a.nodeId()) && !active.containsKey(a.nodeId())) {
                candidates.add(a);
            }
        }
        shuffle(candidates);
        boolean alone = active.isEmpty();
        for (int i = 0; i < Math.min(free, candidates.size()); i++) {
            ask(candidates.get(i), new Wire.Neighbor(me, alone));
            // without neighbours ask one spare at a time with high priority: it cannot refuse,
            // and asking several would take them all in
            if (alone) {
                break;
            }
        }
        if (active.isEmpty() && pending.isEmpty() && candidates.isEmpty()) {
            sendJoins();
        }
    }

    private void shuffleTick() {
        if (closed) {
            return;
        }
        scheduleShuffle();
        if (active.size() < options.activeView()) {
            refill();
        }
        NodeAddress me = service.selfAddress();
        if (me != null && !lost.isEmpty()) {
            // round robin over the lost neighbours, each a limited number of times
            PublicKey peer = lost.keySet().iterator().next();
            NodeAddress address = lost.remove(peer);
            int left = lostTries.getOrDefault(peer, 1) - 1;
            if (left > 0) {
                lost.put(peer, address);
                lostTries.put(peer, left);
            } else {
                lostTries.remove(peer);
            }
            if (!active.containsKey(peer) && !pending.containsKey(peer)) {
                ask(address, new Wire.Neighbor(me, true));
            }
        }
        if (active.isEmpty() || me == null) {
            return;
        }
        List<PublicKey> peers = new ArrayList<>(active.keySet());
        PublicKey target = peers.get(service.random.nextInt(peers.size()));
        List<NodeAddress> sample = new ArrayList<>();
        sample.add(me);
        sample.addAll(sampleOf(active.values(), options.shuffleActive()));
        sample.addAll(sampleOf(passive.values(), options.shufflePassive()));
        lastShuffle = sample;
        service.send(target, topic, new Wire.Shuffle(me, options.shuffleWalk(), sample));
    }

    private void onShuffle(PublicKey from, Wire.Shuffle s) {
        if (s.origin().nodeId().equals(service.self)) {
            return;
        }
        int ttl = Math.min(s.ttl(), options.shuffleWalk());
        if (ttl > 0 && active.size() > 1) {
            List<PublicKey> next = new ArrayList<>();
            for (PublicKey p : active.keySet()) {
                if (!p.equals(from) && !p.equals(s.origin().nodeId())) {
                    next.add(p);
                }
            }
            if (!next.isEmpty()) {
                service.send(next.get(service.random.nextInt(next.size())), topic, new Wire.Shuffle(s.origin(), ttl - 1, s.addresses()));
                return;
            }
        }
        List<NodeAddress> reply = sampleOf(passive.values(), s.addresses().size());
        service.connectAndSend(s.origin(), topic, new Wire.ShuffleReply(reply));
        service.releaseLater(s.origin().nodeId());
        integrate(s.addresses(), reply);
    }

    /** Adds received addresses to the passive view, making room by dropping first what was sent away. */
    private void integrate(List<NodeAddress> received, List<NodeAddress> sentAway) {
        ArrayDeque<PublicKey> firstToGo = new ArrayDeque<>();
        for (NodeAddress a : sentAway) {
            firstToGo.add(a.nodeId());
        }
        for (NodeAddress a : received) {
            PublicKey p = a.nodeId();
            if (p.equals(service.self) || active.containsKey(p) || passive.containsKey(p)) {
                continue;
            }
            while (passive.size() >= options.passiveView() && !firstToGo.isEmpty()) {
                passive.remove(firstToGo.poll());
            }
            addPassive(a);
        }
    }

    private List<NodeAddress> sampleOf(Iterable<NodeAddress> from, int n) {
        List<NodeAddress> all = new ArrayList<>();
        for (NodeAddress a : from) {
            if (a != null) {
                all.add(a);
            }
        }
        shuffle(all);
        return all.size() <= n ? all : new ArrayList<>(all.subList(0, n));
    }

    private <T> void shuffle(List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = service.random.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    // ---- PlumTree -----------------------------------------------------------------------------

    private long now() {
        return service.clock().nanoTime();
    }

    /** Sends a message eagerly to the eager neighbours and announces it to the lazy ones. */
    private void push(MessageId id, int round, byte[] payload, PublicKey except) {
        Wire.Gossip g = new Wire.Gossip(id, round, payload);
        for (PublicKey p : eager) {
            if (!p.equals(except)) {
                service.send(p, topic, g);
            }
        }
        for (PublicKey p : lazy) {
            if (!p.equals(except)) {
                announce(p, new Announcement(id, round));
            }
        }
    }

    private void announce(PublicKey peer, Announcement a) {
        List<Announcement> q = lazyQueue.computeIfAbsent(peer, k -> new ArrayList<>());
        q.add(a);
        if (q.size() >= Wire.MAX_IHAVES) {
            lazyQueue.remove(peer);
            service.send(peer, topic, new Wire.IHave(q));
            return;
        }
        if (!dispatchScheduled) {
            dispatchScheduled = true;
            service.schedule(this::dispatchAnnouncements, options.ihaveDelay());
        }
    }

    private void dispatchAnnouncements() {
        dispatchScheduled = false;
        if (closed) {
            return;
        }
        for (Map.Entry<PublicKey, List<Announcement>> e : lazyQueue.entrySet()) {
            service.send(e.getKey(), topic, new Wire.IHave(e.getValue()));
        }
        lazyQueue.clear();
    }

    private void onGossip(PublicKey from, Wire.Gossip g) {
        if (!active.containsKey(from)) {
            // not (or no longer) a neighbour: a push that crossed a DISCONNECT. Dropped (the
            // listener hears messages from neighbours only); a neighbour that has the message
            // announces it when its link comes up (announceRecent), and the node grafts it then
            return;
        }
        if (seen.contains(g.id(), now())) {
            service.duplicates.incrementAndGet();
            // prune whether or not the sender was eager here: it pushes to this node because this
            // node is eager in its view, and only a PRUNE changes that
            eager.remove(from);
            lazy.add(from);
            service.prunes.incrementAndGet();
            service.send(from, topic, new Wire.Prune());
            return;
        }
        int next = accept(from, g);
        if (lazy.remove(from)) {
            // this node pruned the peer that now delivered first (arrival order flips between
            // messages on paths of similar length): ask it to push again, or after pruning every
            // path in turn this node would hear only announcements and graft each message late
            service.grafts.incrementAndGet();
            service.send(from, topic, new Wire.Graft(null, g.round()));
        }
        eager.add(from);
        // the tree optimisation: a lazy neighbour that announced this message much closer to its
        // origin than the eager path that brought it becomes the eager one
        ArrayDeque<Claim> claims = missing.remove(g.id());
        graftScheduled.remove(g.id());
        if (claims != null) {
            Claim best = null;
            for (Claim c : claims) {
                if (active.containsKey(c.peer()) && (best == null || c.round() < best.round())) {
                    best = c;
                }
            }
            if (best != null && g.round() - best.round() >= options.optimizationThreshold()) {
                service.send(best.peer(), topic, new Wire.Graft(null, best.round()));
                lazy.remove(best.peer());
                eager.add(best.peer());
                service.grafts.incrementAndGet();
                if (eager.remove(from)) {
                    lazy.add(from);
                    service.prunes.incrementAndGet();
                    service.send(from, topic, new Wire.Prune());
                }
            }
        }
        push(g.id(), next, g.payload(), from);
    }

    /** A first copy of a message: remembers it and hands it to the listener; returns its next round. */
    private int accept(PublicKey from, Wire.Gossip g) {
        seen.put(g.id(), Boolean.TRUE, now());
        int next = Math.min(g.round() + 1, 0xFFFF);
        bodies.put(g.id(), new Cached(next, g.payload()), now());
        remember(new Announcement(g.id(), next));
        if (dispatch(l -> l.received(g.payload(), from), true)) {
            service.delivered.incrementAndGet();
        } else {
            service.dropped.incrementAndGet();
        }
        return next;
    }

    private void remember(Announcement a) {
        if (options.catchUp().isZero()) {
            return;
        }
        if (recent.size() >= Wire.MAX_IHAVES) {
            recent.pollFirst();
        }
        recent.addLast(new Recent(a, now()));
    }

    /** Announces the newest messages still held to a neighbour that just came up. */
    private void announceRecent(PublicKey peer) {
        if (!active.containsKey(peer)) {
            return;
        }
        long t = now();
        long window = options.catchUp().toNanos();
        List<Announcement> held = new ArrayList<>();
        for (Recent r : recent) {
            if (t - r.seenNanos() <= window && bodies.contains(r.announcement().id(), t)) {
                held.add(r.announcement());
            }
        }
        if (!held.isEmpty()) {
            service.send(peer, topic, new Wire.IHave(held));
        }
    }

    private void onIHave(PublicKey from, Wire.IHave h) {
        if (!active.containsKey(from)) {
            return;
        }
        long t = now();
        for (Announcement a : h.announcements()) {
            if (seen.contains(a.id(), t)) {
                continue;
            }
            ArrayDeque<Claim> q = missing.get(a.id());
            if (q == null) {
                if (missing.size() >= options.idCache() / 4) {
                    service.dropped.incrementAndGet();
                    continue;
                }
                q = new ArrayDeque<>();
                missing.put(a.id(), q);
            }
            if (q.size() < ANNOUNCERS) {
                q.add(new Claim(from, a.round()));
            }
            if (graftScheduled.add(a.id())) {
                MessageId id = a.id();
                service.schedule(() -> graftTimer(id), options.graftTimeout());
            }
        }
    }

    /** An announced message did not arrive in time: ask the next announcer for it. */
    private void graftTimer(MessageId id) {
        graftScheduled.remove(id);
        if (closed) {
            return;
        }
        ArrayDeque<Claim> q = missing.get(id);
        if (q == null) {
            return;
        }
        if (seen.contains(id, now())) {
            missing.remove(id);
            return;
        }
        while (!q.isEmpty()) {
            Claim c = q.poll();
            if (active.containsKey(c.peer())) {
                lazy.remove(c.peer());
                eager.add(c.peer());
                service.grafts.incrementAndGet();
                service.send(c.peer(), topic, new Wire.Graft(id, c.round()));
                if (q.isEmpty()) {
                    // the last announcer was asked; a later IHAVE starts over
                    missing.remove(id);
                } else {
                    graftScheduled.add(id);
                    service.schedule(() -> graftTimer(id), options.graftRetry());
                }
                return;
            }
        }
        missing.remove(id);
    }

    private void onGraft(PublicKey from, Wire.Graft g) {
        if (!active.containsKey(from)) {
            return;
        }
        lazy.remove(from);
        eager.add(from);
        if (g.id() != null) {
            Cached c = bodies.get(g.id(), now());
            if (c != null) {
                service.send(from, topic, new Wire.Gossip(g.id(), c.round(), c.payload()));
            }
        }
    }

    private void onPrune(PublicKey from) {
        if (active.containsKey(from) && eager.remove(from)) {
            lazy.add(from);
        }
    }

    // ---- the listener -------------------------------------------------------------------------

    /** Queues a listener call; false if it was dropped (a full queue drops messages only). */
    private boolean dispatch(Consumer<GossipListener> event, boolean droppable) {
        boolean start = false;
        synchronized (events) {
            if (silenced) {
                return true;
            }
            if (droppable && events.size() >= LISTENER_QUEUE) {
                return false;
            }
            events.add(event);
            if (!dispatching) {
                dispatching = true;
                start = true;
            }
        }
        if (start) {
            service.execute(this::runEvents);
        }
        return true;
    }

    private void runEvents() {
        while (true) {
            Consumer<GossipListener> next;
            synchronized (events) {
                next = silenced ? null : events.poll();
                if (next == null) {
                    dispatching = false;
                    dispatcher = null;
                    events.notifyAll();
                    return;
                }
                dispatcher = Thread.currentThread();
            }
            try {
                next.accept(listener);
            } catch (RuntimeException e) {
                LOG.warn("gossip: a listener of topic {} threw", topic, e);
            }
        }
    }

    /** A map whose entries expire after a time and whose size is bounded (oldest out first). */
    static final class Expiring<K, V> {
        private final int capacity;
        private final long ttlNanos;
        private final LinkedHashMap<K, Object[]> map = new LinkedHashMap<>();

        Expiring(int capacity, long ttlNanos) {
            this.capacity = capacity;
            this.ttlNanos = ttlNanos;
        }

        void put(K key, V value, long now) {
            evict(now);
            map.remove(key);
            map.put(key, new Object[] {now + ttlNanos, value});
            while (map.size() > capacity) {
                Iterator<K> it = map.keySet().iterator();
                it.next();
                it.remove();
            }
        }

        boolean contains(K key, long now) {
            return get(key, now) != null;
        }

        @SuppressWarnings("unchecked")
        V get(K key, long now) {
            Object[] e = map.get(key);
            if (e == null || (long) e[0] - now <= 0) {
                return null;
            }
            return (V) e[1];
        }

        int size() {
            return map.size();
        }

        private void evict(long now) {
            Iterator<Object[]> it = map.values().iterator();
            while (it.hasNext()) {
                Object[] e = it.next();
                if ((long) e[0] - now <= 0) {
                    it.remove();
                } else {
                    break;
                }
            }
        }
    }
}
