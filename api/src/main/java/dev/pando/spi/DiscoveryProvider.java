package dev.pando.spi;

import java.util.Set;

/**
 * Makes {@link Discovery} services that find other nodes (mDNS on the local network, a bootstrap
 * list, …). Found with {@link java.util.ServiceLoader}; stateless and cheap. Every discovery
 * provider found is active unless configuration excludes it; two with one {@link #name()} are a
 * startup error.
 */
public interface DiscoveryProvider {
    /** The provider's unique name, lowercase (e.g. "mdns"); also the source of its events. */
    String name();

    /** Every option key this provider reads; the node rejects any other. */
    Set<String> optionKeys();

    /**
     * Makes the service without I/O: no socket is opened and no thread started until
     * {@link Discovery#start}.
     *
     * @throws dev.pando.ConfigurationException for invalid options
     */
    Discovery create(DiscoveryContext context);
}
