package dev.pando;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach a node: its id (an Ed25519 public key, proven on connect), the socket addresses
 * it may be reached at directly, and optionally the URL of a relay it is connected to.
 */
public record NodeAddress(PublicKey nodeId, List<InetSocketAddress> directAddresses, Optional<URI> relayUrl) {
    public NodeAddress {
        Objects.requireNonNull(nodeId, "nodeId");
        directAddresses = List.copyOf(directAddresses);
        Objects.requireNonNull(relayUrl, "relayUrl");
    }

    /** An address with direct socket addresses only. */
    public static NodeAddress direct(PublicKey nodeId, InetSocketAddress... addresses) {
        return new NodeAddress(nodeId, List.of(addresses), Optional.empty());
    }

    /** The same node id and relay with other direct addresses. */
    public NodeAddress withDirectAddresses(List<InetSocketAddress> addresses) {
        return new NodeAddress(nodeId, addresses, relayUrl);
    }
}
