package dev.pando.spi;

import dev.pando.NodeAddress;
import java.util.List;

/**
 * A running discovery service. It announces this node where its mechanism allows and reports the
 * nodes it finds as {@link DiscoveryEvent.PeerDiscovered} to the context's event sink (never this
 * node itself, and only nodes of the context's network). Thread-safe.
 */
public interface Discovery extends AutoCloseable {

    /**
     * Starts announcing and looking, with this node's own addresses (those its transports listen
     * on). May open sockets; must not block for long (it may wait for a socket to bind, never for
     * peers).
     *
     * @throws dev.pando.ConfigurationException if its sockets cannot be opened
     * @throws IllegalStateException if started before or after {@link #close()}
     */
    void start(List<NodeAddress> ownAddresses);

    /** This node's addresses changed (a transport moved or a relay was added); re-announce them. */
    void addressesChanged(List<NodeAddress> ownAddresses);

    /** Stops announcing and looking and releases sockets and timers. Idempotent. */
    @Override
    void close();
}
