package dev.pando.spi;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import java.util.Objects;

/**
 * What the node hands a {@link TransportProvider}: the node's identity (its id is
 * {@code identity.publicKey()}), the network it belongs to (protocols are bound to it), and the
 * options configured under the provider's name.
 */
public record TransportContext(PrivateKey identity, NetworkId networkId, ProviderOptions options) {
    public TransportContext {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(networkId, "networkId");
        Objects.requireNonNull(options, "options");
    }
}
