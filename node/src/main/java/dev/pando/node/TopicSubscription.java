package dev.pando.node;

import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import dev.pando.spi.GossipTopic;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * This node's subscription to one topic ({@link Node#subscribe}). Thread-safe.
 *
 * <p>Durable messages are operations in this node's log for the topic (log id
 * {@link LogId#forTopic}); {@link #publish} stores one before anything leaves the node, so it is
 * never lost for want of peers: sync delivers it to every peer that shares the topic later.
 * Ephemeral messages ({@link #broadcast}) travel on the gossip overlay only.
 */
public final class TopicSubscription implements AutoCloseable {
    private final Node node;
    private final TopicId topic;
    private final CopyOnWriteArrayList<MessageStream> streams = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> ready = new CompletableFuture<>();
    private final Set<PublicKey> neighbours = ConcurrentHashMap.newKeySet();
    private volatile GossipTopic gossip;
    private volatile boolean closed;

    TopicSubscription(Node node, TopicId topic) {
        this.node = node;
        this.topic = topic;
    }

    public TopicId topic() {
        return topic;
    }

    /** The log id of this topic's operations: {@link LogId#forTopic}. */
    public LogId logId() {
        return LogId.forTopic(topic);
    }

    /**
     * Makes the next operation of this node's log for the topic with {@code payload} as its body,
     * stores it (through the ingest pipeline), then sends it live to the overlay's neighbours if it
     * fits a gossip message (else sync carries it). Works before any peer is known.
     *
     * @return the stored operation
     * @throws IllegalStateException after {@link #close()} or once the node is closed
     * @throws dev.pando.StoreException if the store fails (then nothing was sent)
     */
    public Operation publish(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        ensureOpen();
        return node.publish(this, payload);
    }

    /**
     * Sends an ephemeral message, signed by this node, to the topic's overlay: never stored, and
     * delivered only to nodes that are neighbours now (best effort). This node's own open
     * {@link MessageStream}s receive it too.
     *
     * @throws IllegalArgumentException if it is longer than {@link #maxEphemeralBytes()}
     * @throws IllegalStateException after {@link #close()}, or if the node has no gossip provider
     */
    public void broadcast(byte[] payload) {
        Objects.requireNonNull(payload, "payload");
        ensureOpen();
        node.broadcast(this, payload);
    }

    /** The longest payload {@link #broadcast} takes (the gossip limit less the signed envelope). */
    public int maxEphemeralBytes() {
        return node.maxEphemeralBytes();
    }

    /**
     * Opens a reader of the topic's messages: history first, then everything new (see
     * {@link MessageStream}). Each call opens an independent reader that starts at the beginning.
     */
    public MessageStream messages() {
        ensureOpen();
        Map<LogKey, Long> history = node.heights(topic);
        MessageStream s = new MessageStream(this, history);
        streams.add(s);
        if (closed) {
            s.end();
        }
        return s;
    }

    /**
     * Completes once the topic's overlay has a neighbour (at once in bootstrap mode, where the node
     * expects to be found rather than to find). Without a gossip provider: once a peer sharing the
     * topic is known. Completing the returned future does not affect the subscription.
     */
    public CompletableFuture<Void> ready() {
        return ready.copy();
    }

    /** The overlay's current neighbours. */
    public Set<PublicKey> neighbours() {
        return Set.copyOf(neighbours);
    }

    /**
     * Starts a sync session of this topic with {@code peer} now (or right after the one running),
     * whatever the schedule.
     *
     * @return completes with the session's outcome, or exceptionally with a
     *     {@link SyncFailedException} saying why it failed
     */
    public CompletableFuture<NodeEvent.SyncFinished> syncWith(PublicKey peer) {
        Objects.requireNonNull(peer, "peer");
        ensureOpen();
        return node.syncNow(peer, topic);
    }

    /** Leaves the overlay (emits {@link NodeEvent.OverlayLeft}) and ends every open stream. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        node.unsubscribe(this);
        endStreams();
    }

    Node node() {
        return node;
    }

    void gossip(GossipTopic topic) {
        this.gossip = topic;
    }

    GossipTopic gossip() {
        return gossip;
    }

    void markReady() {
        ready.complete(null);
    }

    void neighbourUp(PublicKey peer) {
        neighbours.add(peer);
    }

    void neighbourDown(PublicKey peer) {
        neighbours.remove(peer);
    }

    void logChanged(LogKey log) {
        for (MessageStream s : streams) {
            s.logChanged(log);
        }
    }

    void ephemeral(TopicMessage.Ephemeral message) {
        for (MessageStream s : streams) {
            s.ephemeral(message);
        }
    }

    void endStreams() {
        for (MessageStream s : streams) {
            s.end();
        }
        streams.clear();
        ready.completeExceptionally(new IllegalStateException("the subscription to " + topic + " was closed"));
    }

    void removeStream(MessageStream s) {
        streams.remove(s);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the subscription to " + topic + " is closed");
        }
    }

    @Override
    public String toString() {
        return "TopicSubscription[" + topic + (closed ? ", closed" : "") + "]";
    }
}
