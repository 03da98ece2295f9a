package dev.pando.spi;

/**
 * Makes {@link Transport}s. Found with {@link java.util.ServiceLoader}; stateless and cheap.
 * {@link #name()} identifies it in configuration ("quic", "quic-netty", "relay", "memory").
 */
public interface TransportProvider {
    /** The provider's unique name, lowercase. */
    String name();

    /**
     * Creates a transport for the context's identity and network. Does no I/O: sockets are bound
     * in {@link Transport#start()}.
     *
     * @throws dev.pando.ConfigurationException for invalid options
     */
    Transport create(TransportContext context);
}
