package dev.pando.spi;

import dev.pando.NodeAddress;
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

    /**
     * {@code peer} became a neighbour, and the overlay knows an address of it ({@code address},
     * whose node id is {@code peer}): a provider that learns neighbours' addresses (in joins,
     * shuffles) reports them this way, so that the node can reach the neighbour for other
     * protocols (log sync) although no other source told it where the neighbour is. The address
     * is the neighbour's own word, carried over a connection that proved its node id. By default
     * the same as {@link #neighbourUp(PublicKey)}.
     */
    default void neighbourUp(PublicKey peer, NodeAddress address) {
        neighbourUp(peer);
    }

    /** {@code peer} is no longer a neighbour in this topic's overlay. */
    void neighbourDown(PublicKey peer);
}
