package dev.pando.spi;

import java.util.Set;

/**
 * Makes {@link SyncProtocol}s. Found with {@link java.util.ServiceLoader}; stateless and cheap. The
 * {@link #name()} identifies the provider in configuration ("log-sync"); two providers with one
 * name are a startup error. The node uses one sync provider: the configured one, or the only one
 * found.
 */
public interface SyncProvider {
    /** The provider's unique name, lowercase. */
    String name();

    /**
     * Every option key this provider reads (empty if none). The node rejects any other key given
     * to this provider, naming the provider and the keys it knows.
     */
    Set<String> optionKeys();

    /**
     * Makes the protocol as configured by the context's options. Checks the options and does no
     * I/O and starts no thread.
     *
     * @throws dev.pando.ConfigurationException for invalid options
     */
    SyncProtocol create(SyncContext context);
}
