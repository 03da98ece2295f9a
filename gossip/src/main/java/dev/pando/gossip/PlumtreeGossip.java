package dev.pando.gossip;

import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import dev.pando.spi.Clock;
import dev.pando.spi.Connection;
import dev.pando.spi.Gossip;
import dev.pando.spi.GossipContext;
import dev.pando.spi.GossipCounters;
import dev.pando.spi.GossipListener;
import dev.pando.spi.GossipTopic;
import dev.pando.spi.Scheduler;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The "plumtree" gossip service: the links to other nodes (one per node, shared by all topics)
 * and one {@link Overlay} per joined topic.
 *
 * <p><b>Threads.</b> The protocol state of every topic is guarded by one lock; it is entered by
 * link readers (a frame arrived), scheduler tasks (timers), link events and application calls,
 * never while blocking on the network. Closing a connection can call back into this service at
 * once, so it is deferred until the lock is released ({@link #afterUnlock}). Listener calls are
 * queued per topic and made on the executor, outside the lock.
 */
final class PlumtreeGossip implements Gossip {
    private static final Logger LOG = LoggerFactory.getLogger(PlumtreeGossip.class);
    /** How long a link no topic uses stays open (a shuffle reply or a refused request may follow). */
    static final Duration LINGER = Duration.ofSeconds(10);

    final GossipContext context;
    final PlumtreeOptions options;
    final PublicKey self;
    private final Scheduler scheduler;
    private final Executor executor;

    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    final SplittableRandom random;
    private final Map<PublicKey, Link> links = new HashMap<>();
    private final Map<TopicId, Overlay> overlays = new HashMap<>();
    private final List<Runnable> deferred = new ArrayList<>();
    private boolean started;
    private boolean closed;

    final AtomicLong sent = new AtomicLong();
    final AtomicLong receivedPayloads = new AtomicLong();
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong grafts = new AtomicLong();
    final AtomicLong prunes = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong peersDisconnected = new AtomicLong();

    PlumtreeGossip(GossipContext context, PlumtreeOptions options) {
        this.context = context;
        this.options = options;
        this.self = context.nodeId();
        this.scheduler = context.services().scheduler();
        this.executor = context.services().executor();
        this.random = new SplittableRandom(options.seed().isPresent() ? options.seed().getAsLong() : new SecureRandom().nextLong());
    }

    @Override
    public void start() {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("this gossip service is closed");
            }
            if (started) {
                throw new IllegalStateException("this gossip service is started already");
            }
            started = true;
        } finally {
            lock.unlock();
        }
        context.transport().accept(PlumtreeGossipProvider.PROTOCOL, c -> execute(() -> attach(c)));
    }

    @Override
    public int maxMessageBytes() {
        return options.maxMessageBytes();
    }

    @Override
    public Optional<GossipCounters> counters() {
        return Optional.of(new GossipCounters(sent.get(), receivedPayloads.get(), delivered.get(), duplicates.get(),
                grafts.get(), prunes.get(), dropped.get(), peersDisconnected.get()));
    }

    @Override
    public GossipTopic join(TopicId topic, Collection<NodeAddress> knownPeers, GossipListener listener) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(knownPeers, "knownPeers");
        Objects.requireNonNull(listener, "listener");
        List<NodeAddress> contacts = new ArrayList<>();
        for (NodeAddress a : knownPeers) {
            if (!a.nodeId().equals(self)) {
                contacts.add(a);
            }
        }
        lock.lock();
        try {
            if (!started) {
                throw new IllegalStateException("start the gossip service before joining a topic");
            }
            if (closed) {
                throw new IllegalStateException("this gossip service is closed");
            }
            if (overlays.containsKey(topic)) {
                throw new IllegalStateException("topic " + topic + " is joined already");
            }
            Overlay o = new Overlay(this, topic, listener);
            overlays.put(topic, o);
            o.start(contacts);
            return o;
        } finally {
            unlock();
        }
    }

    @Override
    public void close() {
        List<Overlay> all;
        List<Link> toClose;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            all = List.copyOf(overlays.values());
        } finally {
            unlock();
        }
        for (Overlay o : all) {
            o.close();
        }
        lock.lock();
        try {
            toClose = List.copyOf(links.values());
        } finally {
            unlock();
        }
        for (Link l : toClose) {
            l.connection.close();
        }
    }

    // ---- for the overlays (all called with the lock held) --------------------------------------

    Clock clock() {
        return scheduler;
    }

    boolean isLocked() {
        return lock.isHeldByCurrentThread();
    }

    void removeOverlay(Overlay o) {
        overlays.remove(o.topic, o);
    }

    /** This node's address, or null while the transport is not started. */
    NodeAddress selfAddress() {
        try {
            return context.transport().localAddress();
        } catch (RuntimeException e) {
            return null;
        }
    }

    boolean connected(PublicKey peer) {
        return links.containsKey(peer);
    }

    /** Sends to a connected peer; false if there is no link or the frame was dropped. */
    boolean send(PublicKey peer, TopicId topic, Wire.Message message) {
        Link l = links.get(peer);
        if (l == null) {
            return false;
        }
        boolean payload = message instanceof Wire.Gossip;
        boolean ok = l.send(Wire.encode(topic, message), payload);
        if (ok && payload) {
            sent.incrementAndGet();
        }
        return ok;
    }

    /**
     * Sends to a peer, dialing it first if there is no link. A failed dial is reported to the
     * overlay with {@link Overlay#unreachable}.
     */
    void connectAndSend(NodeAddress address, TopicId topic, Wire.Message message) {
        PublicKey peer = address.nodeId();
        if (peer.equals(self)) {
            return;
        }
        if (send(peer, topic, message)) {
            return;
        }
        if (links.containsKey(peer)) {
            return; // dropped by a full queue: counted there
        }
        byte[] frame = Wire.encode(topic, message);
        context.transport().dial(address, PlumtreeGossipProvider.PROTOCOL).whenCompleteAsync((connection, error) -> {
            if (error != null) {
                LOG.debug("gossip: dialing {} failed: {}", peer, error.toString());
                locked(() -> {
                    Overlay o = overlays.get(topic);
                    if (o != null) {
                        o.unreachable(peer);
                    }
                });
                return;
            }
            Link l = attach(connection);
            if (l != null && l.send(frame, message instanceof Wire.Gossip) && message instanceof Wire.Gossip) {
                sent.incrementAndGet();
            }
        }, executor);
    }

    /** Runs {@code task} with the lock after {@code delay} on the node's scheduler. */
    void schedule(Runnable task, Duration delay) {
        try {
            scheduler.schedule(() -> locked(task), delay);
        } catch (IllegalStateException e) {
            LOG.debug("gossip: the scheduler refused a task (the node is closing): {}", e.toString());
        }
    }

    void execute(Runnable task) {
        executor.execute(task);
    }

    /** Runs {@code task} once the lock is released (for calls that may call back into this service). */
    void afterUnlock(Runnable task) {
        deferred.add(task);
    }

    /**
     * Closes the link to {@code peer} after {@link #LINGER} unless some topic uses it by then: a
     * link kept only for a shuffle or a refused request must not stay open for ever.
     */
    void releaseLater(PublicKey peer) {
        schedule(() -> {
            Link l = links.get(peer);
            if (l == null) {
                return;
            }
            for (Overlay o : overlays.values()) {
                if (o.uses(peer)) {
                    return;
                }
            }
            afterUnlock(l.connection::close);
        }, LINGER);
    }

    void locked(Runnable task) {
        lock.lock();
        try {
            task.run();
        } finally {
            unlock();
        }
    }

    private void unlock() {
        List<Runnable> run = null;
        if (lock.getHoldCount() == 1 && !deferred.isEmpty()) {
            run = List.copyOf(deferred);
            deferred.clear();
        }
        lock.unlock();
        if (run != null) {
            for (Runnable r : run) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.warn("gossip: a deferred task failed", e);
                }
            }
        }
    }

    // ---- links --------------------------------------------------------------------------------

    /**
     * Makes (or finds) the link of a connection: opens this node's outbound stream and accepts the
     * peer's. Whichever side dialed, each node writes the stream it opened and reads the one it
     * accepted, so a connection both sides dialed at once needs no tie-break.
     */
    private Link attach(Connection connection) {
        Link link;
        Link replaced;
        lock.lock();
        try {
            if (closed || !connection.isOpen()) {
                if (closed) {
                    afterUnlock(connection::close);
                }
                return null;
            }
            Link existing = links.get(connection.remoteNodeId());
            if (existing != null && existing.connection == connection) {
                return existing;
            }
            replaced = existing;
            link = new Link(this, connection);
            links.put(link.peer, link);
            if (replaced != null) {
                afterUnlock(replaced.connection::close);
            }
        } finally {
            unlock();
        }
        Link l = link;
        connection.closed().whenComplete((v, e) -> linkDown(l));
        connection.openStream().whenCompleteAsync((stream, error) -> {
            if (error != null) {
                connection.close();
            } else {
                l.outboundReady(stream);
            }
        }, executor);
        connection.acceptStream().whenCompleteAsync((stream, error) -> {
            if (error != null) {
                connection.close();
            } else {
                l.readLoop(stream);
            }
        }, executor);
        return link;
    }

    private void linkDown(Link link) {
        locked(() -> {
            if (links.get(link.peer) != link) {
                return; // replaced by a newer connection, which keeps the peer's state
            }
            links.remove(link.peer);
            for (Overlay o : List.copyOf(overlays.values())) {
                o.linkDown(link.peer);
            }
        });
    }

    /** Whether a link to {@code peer} is open now (for tests and diagnostics); takes the lock. */
    boolean linkedTo(PublicKey peer) {
        boolean[] r = new boolean[1];
        locked(() -> r[0] = links.containsKey(peer));
        return r[0];
    }

    /** A decoded frame from a link's reader. */
    void received(Link link, Wire.Decoded frame) {
        if (frame.message() instanceof Wire.Gossip) {
            receivedPayloads.incrementAndGet();
        }
        locked(() -> {
            if (links.get(link.peer) != link) {
                return;
            }
            Overlay o = overlays.get(frame.topic());
            if (o != null) {
                o.handle(link.peer, frame.message());
            } else if (frame.message() instanceof Wire.Join || frame.message() instanceof Wire.Neighbor) {
                // not (or no longer) in that topic: say so, or the asker keeps this node as a spare
                // and asks it again and again, waiting out a timeout each time
                send(link.peer, frame.topic(), new Wire.Disconnect(false));
                releaseLater(link.peer);
            }
        });
    }

    /** A peer broke the protocol in a way only the overlay can tell (lock held). */
    void hostile(PublicKey peer, String why) {
        Link l = links.get(peer);
        if (l != null) {
            peersDisconnected.incrementAndGet();
            LOG.debug("gossip: disconnecting {}: {}", peer, why);
            afterUnlock(l.connection::close);
        }
    }

    void hostile(Link link, String why) {
        peersDisconnected.incrementAndGet();
        LOG.debug("gossip: disconnecting {}: {}", link.peer, why);
        link.connection.close();
    }
}
