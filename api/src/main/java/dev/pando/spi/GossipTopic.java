package dev.pando.spi;

import dev.pando.TopicId;

/** This node's membership in one topic overlay, from {@link Gossip#join}. Thread-safe. */
public interface GossipTopic extends AutoCloseable {

    TopicId topic();

    /**
     * Sends a message to every node in the overlay (best effort: gossip does not store or retry
     * beyond its own repair). Does not block on the network: the message is queued for the
     * neighbours; a message to an overlay without neighbours yet is sent to nobody.
     *
     * @throws IllegalArgumentException if the message is longer than
     *     {@link Gossip#maxMessageBytes()}: never truncated or dropped silently
     * @throws IllegalStateException after {@link #close()}
     */
    void broadcast(byte[] message);

    /**
     * Contacts more peers known to share this topic (the node learns them after joining, e.g. from
     * its topic exchange), as {@link Gossip#join} does with its known peers. Returns at once;
     * peers already neighbours are ignored.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    void joinPeers(java.util.Collection<dev.pando.NodeAddress> peers);

    /** Leaves the overlay; the listener hears nothing after this returns. Idempotent. */
    @Override
    void close();
}
