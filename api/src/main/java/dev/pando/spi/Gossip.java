package dev.pando.spi;

import dev.pando.NodeAddress;
import dev.pando.TopicId;
import java.util.Collection;
import java.util.Optional;

/**
 * A running gossip service: one overlay per joined topic. Thread-safe.
 *
 * <p>Lifecycle: {@link #start()} registers its protocol with the transport; {@link #close()}
 * leaves every overlay (each listener hears its neighbours go down), releases everything it
 * started and is idempotent.
 */
public interface Gossip extends AutoCloseable {

    /** Starts the service. Call once, before {@link #join}. */
    void start();

    /** The largest message {@link GossipTopic#broadcast} takes, in bytes. */
    int maxMessageBytes();

    /**
     * Joins a topic's overlay, contacting some of {@code knownPeers} (it may be empty: this node
     * then waits to be found, as a bootstrap node does). Returns at once; neighbours come up later
     * and are reported to the listener.
     *
     * @param listener told of messages and neighbours of this topic; see {@link GossipListener}
     * @throws IllegalStateException if the topic is joined already, or before {@link #start()} or
     *     after {@link #close()}
     */
    GossipTopic join(TopicId topic, Collection<NodeAddress> knownPeers, GossipListener listener);

    /**
     * What this service has counted so far (sent, received, duplicates, grafts, prunes, …), or
     * empty if it keeps no counters. Cheap; any thread.
     */
    default Optional<GossipCounters> counters() {
        return Optional.empty();
    }

    @Override
    void close();
}
