package dev.pando.spi;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import java.util.Objects;

/**
 * What the node hands a {@link TransportProvider}: the node's identity (its id is
 * {@code identity.publicKey()}), the network it belongs to (protocols are bound to it), the
 * options configured under the provider's name, and the node's {@link NodeServices} (clock and
 * timers, executor, and the sink for the transport's {@link TransportEvent}s).
 */
public record TransportContext(PrivateKey identity, NetworkId networkId, ProviderOptions options, NodeServices services) {
    public TransportContext {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(networkId, "networkId");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(services, "services");
    }

    /** A context with {@link NodeServices#system()}: system time, shared threads, events discarded. */
    public TransportContext(PrivateKey identity, NetworkId networkId, ProviderOptions options) {
        this(identity, networkId, options, NodeServices.system());
    }

    /** This context with other options (e.g. a test adding {@code bind} to what the contract made). */
    public TransportContext withOptions(ProviderOptions options) {
        return new TransportContext(identity, networkId, options, services);
    }

    /** This context with other services. */
    public TransportContext withServices(NodeServices services) {
        return new TransportContext(identity, networkId, options, services);
    }
}
