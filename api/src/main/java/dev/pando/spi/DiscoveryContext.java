package dev.pando.spi;

import dev.pando.NetworkId;
import dev.pando.PublicKey;
import java.util.Objects;

/**
 * What the node hands a {@link DiscoveryProvider}: the node's id and network (a discovery service
 * reports only nodes of the same network), the options configured under the provider's name, and
 * the node's {@link NodeServices}, whose event sink receives the {@link DiscoveryEvent}s.
 */
public record DiscoveryContext(PublicKey nodeId, NetworkId networkId, ProviderOptions options, NodeServices services) {
    public DiscoveryContext {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(networkId, "networkId");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(services, "services");
    }
}
