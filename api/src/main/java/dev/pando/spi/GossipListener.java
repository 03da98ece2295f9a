package dev.pando.spi;

import dev.pando.PublicKey;

/**
 * What a {@link GossipTopic} reports. Methods are called on the gossip service's threads, one call
 * at a time per topic, in order; they must return quickly, must not block and must not call back
 * into the gossip service (hand the work to another thread).
 */
public interface GossipListener {

    /**
     * A message broadcast by some node of the overlay arrived (once per message, however many
     * neighbours forwarded it).
     *
     * @param message the bytes as broadcast; the listener owns the array
     * @param deliveredFrom the neighbour that delivered it (not necessarily its author)
     */
    void received(byte[] message, PublicKey deliveredFrom);

    /** {@code peer} became a neighbour in this topic's overlay. */
    void neighbourUp(PublicKey peer);

    /** {@code peer} is no longer a neighbour in this topic's overlay. */
    void neighbourDown(PublicKey peer);
}
