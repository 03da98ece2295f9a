package dev.pando.spi;

import dev.pando.NodeAddress;
import java.util.Objects;

/** What a {@link Discovery} service reports. */
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
}
