package dev.pando.testkit.support;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.NodeAddress;
import dev.pando.PandoException;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.Gossip;
import dev.pando.spi.GossipContext;
import dev.pando.spi.GossipCounters;
import dev.pando.spi.GossipListener;
import dev.pando.spi.GossipTopic;
import dev.pando.spi.Scheduler;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flood gossip service (see {@link FloodGossipProvider}). State is guarded by {@code this};
 * network writes, listener calls and dials happen outside the lock.
 */
final class FloodGossip implements Gossip {
    private static final Logger LOG = LoggerFactory.getLogger(FloodGossip.class);

    static final byte HELLO = 0;
    static final byte JOIN = 1;
    static final byte LEAVE = 2;
    static final byte MESSAGE = 3;
    static final byte VERSION = 1;
    static final int ID_LENGTH = 16;
    private static final Duration MAX_RETRY = Duration.ofSeconds(30);
    /** Listener events waiting per topic; beyond this, received messages are dropped and counted. */
    private static final int LISTENER_QUEUE = 8192;

    private final GossipContext context;
    private final PublicKey self;
    private final Scheduler scheduler;
    private final Executor executor;
    private final int maxMessageBytes;
    private final int maxFrame;
    private final int dedupCapacity;
    private final int sendQueue;
    private final Duration joinRetry;
    private final SecureRandom random = new SecureRandom();

    private final Map<PublicKey, Peer> peers = new HashMap<>();
    private final Map<TopicId, Topic> topics = new HashMap<>();
    // insertion-ordered, evicts the oldest id beyond dedupCapacity
    private final LinkedHashMap<MessageId, Boolean> seen;
    private boolean started;
    private boolean closed;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong peersDisconnected = new AtomicLong();

    FloodGossip(GossipContext context, int maxMessageBytes, int dedupCapacity, int sendQueue, Duration joinRetry) {
        this.context = context;
        this.self = context.nodeId();
        this.scheduler = context.services().scheduler();
        this.executor = context.services().executor();
        this.maxMessageBytes = maxMessageBytes;
        this.maxFrame = 1 + TopicId.LENGTH + ID_LENGTH + maxMessageBytes;
        this.dedupCapacity = dedupCapacity;
        this.sendQueue = sendQueue;
        this.joinRetry = joinRetry;
        this.seen = new LinkedHashMap<>(Math.min(dedupCapacity, 1 << 16) * 2, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<MessageId, Boolean> eldest) {
                return size() > FloodGossip.this.dedupCapacity;
            }
        };
    }

    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("this gossip service is closed");
        }
        if (started) {
            throw new IllegalStateException("this gossip service is started already");
        }
        started = true;
        context.transport().accept(FloodGossipProvider.PROTOCOL, this::accepted);
    }

    @Override
    public int maxMessageBytes() {
        return maxMessageBytes;
    }

    @Override
    public Optional<GossipCounters> counters() {
        return Optional.of(new GossipCounters(sent.get(), received.get(), delivered.get(), duplicates.get(), 0, 0,
                dropped.get(), peersDisconnected.get()));
    }

    @Override
    public GossipTopic join(TopicId topicId, Collection<NodeAddress> knownPeers, GossipListener listener) {
        Objects.requireNonNull(topicId, "topic");
        Objects.requireNonNull(knownPeers, "knownPeers");
        Objects.requireNonNull(listener, "listener");
        List<NodeAddress> targets = new ArrayList<>();
        for (NodeAddress a : knownPeers) {
            if (!a.nodeId().equals(self)) {
                targets.add(a);
            }
        }
        Topic topic;
        synchronized (this) {
            if (!started) {
                throw new IllegalStateException("start the gossip service before joining a topic");
            }
            if (closed) {
                throw new IllegalStateException("this gossip service is closed");
            }
            if (topics.containsKey(topicId)) {
                throw new IllegalStateException("topic " + topicId + " is joined already");
            }
            topic = new Topic(topicId, listener);
            topics.put(topicId, topic);
            // peers connected already that asked for this topic before we joined it are not
            // remembered; the known peers listed here are told now, and retry until they answer
            for (NodeAddress a : targets) {
                topic.known.put(a.nodeId(), a);
            }
        }
        for (NodeAddress a : targets) {
            tryJoin(topic, a.nodeId(), joinRetry);
        }
        return topic;
    }

    @Override
    public void close() {
        List<Topic> toClose;
        List<Peer> toDrop;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = List.copyOf(topics.values());
            toDrop = List.copyOf(peers.values());
        }
        for (Topic t : toClose) {
            t.close();
        }
        for (Peer p : toDrop) {
            p.connection.close();
        }
    }

    // ---- joining ------------------------------------------------------------------------------

    /** Sends JOIN to a known peer (dialing it if needed) and checks again later until it answers. */
    private void tryJoin(Topic topic, PublicKey peerId, Duration nextDelay) {
        NodeAddress address;
        Peer peer;
        synchronized (this) {
            if (closed || topic.closed || topic.neighbours.contains(peerId)) {
                return;
            }
            address = topic.known.get(peerId);
            peer = peers.get(peerId);
            if (peer != null) {
                topic.sentJoin.add(peerId);
            }
        }
        if (peer != null) {
            peer.send(frame(JOIN, topic.id.bytes(), null, null), true);
        } else if (address != null) {
            context.transport().dial(address, FloodGossipProvider.PROTOCOL).whenCompleteAsync((connection, error) -> {
                if (error != null) {
                    LOG.debug("flood: dial to {} failed: {}", peerId, error.toString());
                    return;
                }
                Peer p = attach(connection);
                boolean send;
                synchronized (this) {
                    send = p != null && !topic.closed && !topic.neighbours.contains(peerId);
                    if (send) {
                        topic.sentJoin.add(peerId);
                    }
                }
                if (send) {
                    p.send(frame(JOIN, topic.id.bytes(), null, null), true);
                }
            }, executor);
        }
        Duration following = nextDelay.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : nextDelay.multipliedBy(2);
        scheduleSafely(() -> tryJoin(topic, peerId, following), nextDelay);
    }

    private void scheduleSafely(Runnable task, Duration delay) {
        try {
            scheduler.schedule(task, delay);
        } catch (IllegalStateException e) {
            // the node's scheduler is shut down: the node is closing
            LOG.debug("flood: scheduler refused a task: {}", e.toString());
        }
    }

    // ---- connections --------------------------------------------------------------------------

    /** The transport's accept handler: must not block. */
    private void accepted(Connection connection) {
        executor.execute(() -> attach(connection));
    }

    /**
     * Makes (or finds) the peer of a connection: opens this node's outbound stream and accepts the
     * peer's. Whichever side dialed, each node writes on the stream it opened and reads the one it
     * accepted, so a connection dialed by both sides at once needs no tie-break.
     */
    private Peer attach(Connection connection) {
        Peer peer;
        Peer replaced = null;
        synchronized (this) {
            if (closed || !connection.isOpen()) {
                if (closed) {
                    connection.close();
                }
                return null;
            }
            Peer existing = peers.get(connection.remoteNodeId());
            if (existing != null && existing.connection == connection) {
                return existing;
            }
            replaced = existing;
            peer = new Peer(connection);
            peers.put(peer.id, peer);
        }
        if (replaced != null) {
            dropPeer(replaced, "replaced by a new connection");
        }
        Peer p = peer;
        connection.closed().whenComplete((v, e) -> dropPeer(p, "connection closed"));
        connection.openStream().whenCompleteAsync((stream, error) -> {
            if (error != null) {
                p.connection.close();
            } else {
                p.outboundReady(stream);
            }
        }, executor);
        connection.acceptStream().whenCompleteAsync((stream, error) -> {
            if (error != null) {
                p.connection.close();
            } else {
                p.readLoop(stream);
            }
        }, executor);
        return peer;
    }

    /** Forgets a peer whose connection ended: it is no longer a neighbour anywhere. */
    private void dropPeer(Peer peer, String why) {
        List<Topic> downIn = new ArrayList<>();
        synchronized (this) {
            if (peers.get(peer.id) != peer) {
                // replaced by a newer connection to the same node, which keeps its neighbourships
                downIn = null;
            } else {
                peers.remove(peer.id);
            }
            for (Topic t : downIn == null ? List.<Topic>of() : topics.values()) {
                t.sentJoin.remove(peer.id);
                if (t.neighbours.remove(peer.id)) {
                    downIn.add(t);
                    t.dispatch(l -> l.neighbourDown(peer.id), false);
                }
            }
        }
        peer.connection.close();
        if (downIn == null) {
            return;
        }
        if (!downIn.isEmpty()) {
            LOG.debug("flood: {} down in {} topics: {}", peer.id, downIn.size(), why);
        }
        // known peers of joined topics are tried again by their pending tryJoin tasks
        for (Topic t : downIn) {
            if (t.known.containsKey(peer.id)) {
                scheduleSafely(() -> tryJoin(t, peer.id, joinRetry), joinRetry);
            }
        }
    }

    private void hostile(Peer peer, String why) {
        peersDisconnected.incrementAndGet();
        LOG.debug("flood: disconnecting {}: {}", peer.id, why);
        peer.connection.close();
    }

    // ---- frames -------------------------------------------------------------------------------

    static byte[] frame(byte type, byte[] topic, byte[] id, byte[] payload) {
        int length = 1 + (topic == null ? 0 : topic.length) + (id == null ? 0 : id.length) + (payload == null ? 0 : payload.length);
        byte[] f = new byte[4 + length];
        f[0] = (byte) (length >>> 24);
        f[1] = (byte) (length >>> 16);
        f[2] = (byte) (length >>> 8);
        f[3] = (byte) length;
        f[4] = type;
        int at = 5;
        for (byte[] part : new byte[][] {topic, id, payload}) {
            if (part != null) {
                System.arraycopy(part, 0, f, at, part.length);
                at += part.length;
            }
        }
        return f;
    }

    private void handle(Peer peer, byte[] body) {
        byte type = body[0];
        switch (type) {
            case JOIN, LEAVE -> {
                if (body.length != 1 + TopicId.LENGTH) {
                    throw new ProtocolViolationException("a JOIN or LEAVE frame of " + body.length + " bytes");
                }
                TopicId topicId = TopicId.fromBytes(java.util.Arrays.copyOfRange(body, 1, body.length));
                if (type == JOIN) {
                    joinFrom(peer, topicId);
                } else {
                    leaveFrom(peer, topicId);
                }
            }
            case MESSAGE -> {
                if (body.length < 1 + TopicId.LENGTH + ID_LENGTH) {
                    throw new ProtocolViolationException("a MESSAGE frame of " + body.length + " bytes");
                }
                message(peer, body);
            }
            case HELLO -> throw new ProtocolViolationException("a second HELLO");
            default -> throw new ProtocolViolationException("unknown frame type " + type);
        }
    }

    private void joinFrom(Peer peer, TopicId topicId) {
        boolean answer = false;
        synchronized (this) {
            Topic t = topics.get(topicId);
            if (t == null || t.closed || peers.get(peer.id) != peer) {
                return;
            }
            if (t.neighbours.add(peer.id)) {
                t.dispatch(l -> l.neighbourUp(peer.id), false);
                // always answer a new neighbour: it may have dropped our earlier JOIN (sent before
                // it joined), and a node answers only when it adds one, so this ends
                t.sentJoin.add(peer.id);
                answer = true;
            }
        }
        if (answer) {
            peer.send(frame(JOIN, topicId.bytes(), null, null), true);
        }
    }

    private void leaveFrom(Peer peer, TopicId topicId) {
        synchronized (this) {
            Topic t = topics.get(topicId);
            if (t == null) {
                return;
            }
            t.sentJoin.remove(peer.id);
            if (t.neighbours.remove(peer.id)) {
                t.dispatch(l -> l.neighbourDown(peer.id), false);
            }
        }
    }

    private void message(Peer from, byte[] body) {
        received.incrementAndGet();
        TopicId topicId = TopicId.fromBytes(java.util.Arrays.copyOfRange(body, 1, 1 + TopicId.LENGTH));
        MessageId id = MessageId.of(body, 1 + TopicId.LENGTH);
        byte[] payload = java.util.Arrays.copyOfRange(body, 1 + TopicId.LENGTH + ID_LENGTH, body.length);
        List<Peer> forward = new ArrayList<>();
        synchronized (this) {
            Topic t = topics.get(topicId);
            if (t == null || t.closed || !t.neighbours.contains(from.id)) {
                // not (or no longer) in this topic with that peer: a race with LEAVE, not an attack
                return;
            }
            if (seen.containsKey(id)) {
                duplicates.incrementAndGet();
                return;
            }
            seen.put(id, Boolean.TRUE);
            if (t.dispatch(l -> l.received(payload, from.id), true)) {
                delivered.incrementAndGet();
            } else {
                dropped.incrementAndGet();
            }
            for (PublicKey n : t.neighbours) {
                Peer p = peers.get(n);
                if (p != null && !n.equals(from.id)) {
                    forward.add(p);
                }
            }
        }
        byte[] out = new byte[4 + body.length];
        System.arraycopy(body, 0, out, 4, body.length);
        out[0] = (byte) (body.length >>> 24);
        out[1] = (byte) (body.length >>> 16);
        out[2] = (byte) (body.length >>> 8);
        out[3] = (byte) body.length;
        for (Peer p : forward) {
            p.send(out, false);
        }
    }

    /** A 16-byte message id. */
    record MessageId(long high, long low) {
        static MessageId of(byte[] b, int at) {
            return new MessageId(longAt(b, at), longAt(b, at + 8));
        }

        private static long longAt(byte[] b, int at) {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (b[at + i] & 0xFF);
            }
            return v;
        }
    }

    // ---- peers --------------------------------------------------------------------------------

    /** One connected remote node: a bounded queue of frames to write, and a reader. */
    private final class Peer {
        final PublicKey id;
        final Connection connection;
        // guarded by this Peer
        private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
        private DuplexStream out;
        private boolean draining;

        Peer(Connection connection) {
            this.connection = connection;
            this.id = connection.remoteNodeId();
        }

        /**
         * Queues a frame. Control frames are always queued; a message frame beyond the queue's
         * bound is dropped and counted (a peer this slow cannot keep up with the overlay anyway).
         */
        void send(byte[] frame, boolean control) {
            boolean start = false;
            boolean giveUp = false;
            synchronized (this) {
                if (!control && queue.size() >= sendQueue) {
                    dropped.incrementAndGet();
                    return;
                }
                if (queue.size() >= 2 * sendQueue) {
                    // control frames beyond twice the bound: the peer reads nothing, give it up
                    dropped.incrementAndGet();
                    giveUp = true;
                } else {
                    queue.add(frame);
                    if (frame[4] == MESSAGE) {
                        sent.incrementAndGet();
                    }
                    if (out != null && !draining) {
                        draining = true;
                        start = true;
                    }
                }
            }
            if (giveUp) {
                connection.close();
                return;
            }
            if (start) {
                executor.execute(this::drain);
            }
        }

        void outboundReady(DuplexStream stream) {
            boolean start;
            synchronized (this) {
                out = stream;
                queue.addFirst(frame(HELLO, new byte[] {VERSION}, null, null));
                start = !draining;
                draining = true;
            }
            if (start) {
                executor.execute(this::drain);
            }
        }

        private void drain() {
            DuplexStream stream;
            synchronized (this) {
                stream = out;
            }
            try {
                while (true) {
                    byte[] next;
                    synchronized (this) {
                        next = queue.poll();
                        if (next == null) {
                            draining = false;
                            break;
                        }
                    }
                    stream.write(next);
                    boolean more;
                    synchronized (this) {
                        more = !queue.isEmpty();
                    }
                    if (!more) {
                        stream.flush();
                    }
                }
            } catch (RuntimeException e) {
                LOG.debug("flood: write to {} failed: {}", id, e.toString());
                synchronized (this) {
                    queue.clear();
                    draining = false;
                }
                connection.close();
            }
        }

        void readLoop(DuplexStream in) {
            byte[] header = new byte[4];
            boolean greeted = false;
            try {
                while (true) {
                    if (!readHeader(in, header)) {
                        connection.close();
                        return;
                    }
                    int length = ((header[0] & 0xFF) << 24) | ((header[1] & 0xFF) << 16) | ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
                    if (length < 1 || length > maxFrame) {
                        throw new ProtocolViolationException("a frame of " + Integer.toUnsignedString(length)
                                + " bytes, the limit is " + maxFrame);
                    }
                    byte[] body = new byte[length];
                    in.readFully(body, 0, length);
                    if (!greeted) {
                        if (body[0] != HELLO || length != 2 || body[1] != VERSION) {
                            throw new ProtocolViolationException("the first frame is not HELLO version " + VERSION);
                        }
                        greeted = true;
                        continue;
                    }
                    handle(this, body);
                }
            } catch (ProtocolViolationException e) {
                hostile(this, e.getMessage());
            } catch (PandoException e) {
                LOG.debug("flood: reading from {} ended: {}", id, e.toString());
                connection.close();
            } catch (RuntimeException e) {
                // a bug of ours must not leave the peer half alive
                LOG.warn("flood: reader of {} failed", id, e);
                connection.close();
            }
        }

        /** Reads a frame header; false at a clean end of stream. Idle deadlines between frames are fine. */
        private boolean readHeader(DuplexStream in, byte[] header) {
            int done = 0;
            while (done < 4) {
                int n;
                try {
                    n = in.read(header, done, 4 - done);
                } catch (DeadlineExceededException e) {
                    if (done == 0 && connection.isOpen()) {
                        continue;
                    }
                    throw e;
                }
                if (n < 0) {
                    if (done == 0) {
                        return false;
                    }
                    throw new ConnectionClosedException("stream ended inside a frame header");
                }
                done += n;
            }
            return true;
        }
    }

    // ---- topics -------------------------------------------------------------------------------

    /** One joined topic: its neighbours and its listener's ordered event queue. */
    private final class Topic implements GossipTopic {
        final TopicId id;
        final GossipListener listener;
        // guarded by FloodGossip.this
        final Set<PublicKey> neighbours = new HashSet<>();
        final Set<PublicKey> sentJoin = new HashSet<>();
        final Map<PublicKey, NodeAddress> known = new HashMap<>();
        boolean closed;
        // guarded by events
        private final ArrayDeque<java.util.function.Consumer<GossipListener>> events = new ArrayDeque<>();
        private boolean dispatching;
        private Thread dispatcher;
        private boolean silenced;

        Topic(TopicId id, GossipListener listener) {
            this.id = id;
            this.listener = listener;
        }

        @Override
        public TopicId topic() {
            return id;
        }

        /** Queues a listener call; false if it was dropped (a full queue drops messages only). */
        boolean dispatch(java.util.function.Consumer<GossipListener> event, boolean droppable) {
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
                executor.execute(this::runEvents);
            }
            return true;
        }

        private void runEvents() {
            while (true) {
                java.util.function.Consumer<GossipListener> next;
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
                    LOG.warn("flood: a gossip listener of topic {} threw", id, e);
                }
            }
        }

        @Override
        public void joinPeers(Collection<NodeAddress> more) {
            Objects.requireNonNull(more, "peers");
            List<NodeAddress> targets = new ArrayList<>();
            synchronized (FloodGossip.this) {
                if (closed) {
                    throw new IllegalStateException("topic " + id + " was left");
                }
                for (NodeAddress a : more) {
                    if (!a.nodeId().equals(self) && !neighbours.contains(a.nodeId())) {
                        known.put(a.nodeId(), a);
                        targets.add(a);
                    }
                }
            }
            for (NodeAddress a : targets) {
                tryJoin(this, a.nodeId(), joinRetry);
            }
        }

        @Override
        public void broadcast(byte[] message) {
            Objects.requireNonNull(message, "message");
            if (message.length > maxMessageBytes) {
                throw new IllegalArgumentException("a gossip message of " + message.length
                        + " bytes is over the limit of " + maxMessageBytes + " bytes");
            }
            byte[] messageId = new byte[ID_LENGTH];
            random.nextBytes(messageId);
            List<Peer> targets = new ArrayList<>();
            synchronized (FloodGossip.this) {
                if (closed) {
                    throw new IllegalStateException("topic " + id + " was left");
                }
                seen.put(MessageId.of(messageId, 0), Boolean.TRUE);
                for (PublicKey n : neighbours) {
                    Peer p = peers.get(n);
                    if (p != null) {
                        targets.add(p);
                    }
                }
            }
            byte[] f = frame(MESSAGE, id.bytes(), messageId, message);
            for (Peer p : targets) {
                p.send(f, false);
            }
        }

        @Override
        public void close() {
            List<Peer> tell = new ArrayList<>();
            synchronized (FloodGossip.this) {
                if (closed) {
                    return;
                }
                closed = true;
                topics.remove(id, this);
                for (PublicKey n : neighbours) {
                    Peer p = peers.get(n);
                    if (p != null) {
                        tell.add(p);
                    }
                }
                neighbours.clear();
                sentJoin.clear();
            }
            synchronized (events) {
                silenced = true;
                events.clear();
                // the listener hears nothing after close returns: wait for a call in progress,
                // unless this is that call (the listener must not call back, but be safe)
                while (dispatcher != null && dispatcher != Thread.currentThread()) {
                    try {
                        events.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            byte[] f = frame(LEAVE, id.bytes(), null, null);
            for (Peer p : tell) {
                p.send(f, true);
            }
        }
    }
}
