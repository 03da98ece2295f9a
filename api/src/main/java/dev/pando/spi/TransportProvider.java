package dev.pando.spi;

import java.util.Set;

/**
 * Makes {@link Transport}s. Found with {@link java.util.ServiceLoader}; stateless and cheap.
 * {@link #name()} identifies it in configuration ("quic", "quic-netty", "relay", "memory").
 */
public interface TransportProvider {
    /** The provider's unique name, lowercase; two providers with one name are a startup error. */
    String name();

    /**
     * Every option key this provider reads (empty if it takes none). The node rejects a
     * configuration that gives this provider any other key, naming the provider and the keys it
     * knows, so a misspelt option never falls back to its default silently. {@link #create} checks
     * the values.
     */
    Set<String> optionKeys();

    /**
     * Creates a transport for the context's identity and network. Does no I/O: sockets are bound
     * in {@link Transport#start()}.
     *
     * @throws dev.pando.ConfigurationException for invalid options
     */
    Transport create(TransportContext context);
}
