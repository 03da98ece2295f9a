package dev.pando.spi;

import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import java.util.Objects;

/**
 * What a {@link Discovery} service reports. A consumer that switches over this family should keep
 * a default branch: sources may gain event kinds (PeerLost was added after PeerDiscovered).
 */
public sealed interface DiscoveryEvent extends ProviderEvent {

    /**
     * A node was found, or found again with other addresses.
     *
     * @param address the node's id and the addresses the source knows for it
     * @param source the discovering provider's {@link DiscoveryProvider#name()}
     */
    record PeerDiscovered(NodeAddress address, String source) implements DiscoveryEvent {
        public PeerDiscovered {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(source, "source");
        }
    }

    /**
     * A node this source reported earlier is gone from it (an mDNS goodbye, an expired record).
     * A hint, as discovery itself is: the node may still be reachable through another source or
     * an address it was given. Emitted only for a node the source reported, once per departure;
     * after it the node is new again to the source (a return is a new {@link PeerDiscovered}).
     * A source that cannot notice departures never emits it.
     *
     * @param nodeId the node that left
     * @param source the discovering provider's {@link DiscoveryProvider#name()}
     */
    record PeerLost(PublicKey nodeId, String source) implements DiscoveryEvent {
        public PeerLost {
            Objects.requireNonNull(nodeId, "nodeId");
            Objects.requireNonNull(source, "source");
        }
    }
}
