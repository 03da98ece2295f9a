package dev.pando.spi;

import dev.pando.NetworkId;
import dev.pando.PublicKey;
import java.util.Objects;

/**
 * What the node hands a {@link GossipProvider}: the node's id, its network, the transport to reach
 * peers with (the node's, which may combine several; the gossip service dials and accepts under
 * its own protocol name through it and never closes it), the options configured under the
 * provider's name, and the node's {@link NodeServices} (timers for rounds, the executor).
 */
public record GossipContext(PublicKey nodeId, NetworkId networkId, Transport transport, ProviderOptions options,
                            NodeServices services) {
    public GossipContext {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(networkId, "networkId");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(services, "services");
    }
}
