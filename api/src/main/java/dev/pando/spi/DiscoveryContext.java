package dev.pando.spi;

import dev.pando.NetworkId;
import dev.pando.PublicKey;
import java.util.Objects;
import java.util.Optional;

/**
 * What the node hands a {@link DiscoveryProvider}: the node's id and network (a discovery service
 * reports only nodes of the same network), the options configured under the provider's name, and
 * the node's {@link NodeServices}, whose event sink receives the {@link DiscoveryEvent}s.
 *
 * <p>Two optional parts serve discoveries that talk to other nodes (peer exchange):
 * <ul>
 *   <li>{@code transport}: the node's transport (which may combine several). The discovery may
 *       register {@link Transport#accept} handlers for protocol names of its own in
 *       {@link DiscoveryProvider#create} (registering does no I/O; the transport is started after
 *       every provider is made) and dial peers once {@link Discovery#start} ran. It never starts
 *       or closes the transport.</li>
 *   <li>{@code signer}: signs on behalf of the node's key, within the discovery domain only (see
 *       {@link DiscoverySigner}), so a discovery can publish records that only this node can make.</li>
 * </ul>
 * A node that has them passes both; a discovery that needs them and finds them empty fails in
 * {@code create} with a {@link dev.pando.ConfigurationException}.
 *
 * <p>{@code affinity} tells which nodes share a topic with a given node, as this node's own topic
 * exchanges found (node ids only, see {@link PeerAffinity}), so that a peer exchange can prefer
 * them; {@link PeerAffinity#none()} where the maker of the context has no topic state (the
 * constructors without it).
 */
public record DiscoveryContext(PublicKey nodeId, NetworkId networkId, ProviderOptions options, NodeServices services,
                               Optional<Transport> transport, Optional<DiscoverySigner> signer, PeerAffinity affinity) {
    public DiscoveryContext {
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(networkId, "networkId");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(services, "services");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(affinity, "affinity");
    }

    /** A context with transport and signer but no topic state ({@link PeerAffinity#none()}). */
    public DiscoveryContext(PublicKey nodeId, NetworkId networkId, ProviderOptions options, NodeServices services,
                            Optional<Transport> transport, Optional<DiscoverySigner> signer) {
        this(nodeId, networkId, options, services, transport, signer, PeerAffinity.none());
    }

    /** A context without transport or signer, for discoveries that only listen and announce (mDNS). */
    public DiscoveryContext(PublicKey nodeId, NetworkId networkId, ProviderOptions options, NodeServices services) {
        this(nodeId, networkId, options, services, Optional.empty(), Optional.empty());
    }
}
