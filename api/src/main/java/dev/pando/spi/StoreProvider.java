package dev.pando.spi;

import java.util.Set;

/**
 * Makes {@link Store}s. Found with {@link java.util.ServiceLoader}; stateless and cheap. The
 * {@link #name()} identifies the provider in configuration ("memory", "sqlite"); two providers
 * with one name are a startup error.
 */
public interface StoreProvider {
    /** The provider's unique name, lowercase. */
    String name();

    /**
     * Every option key this provider reads (empty if it takes none). The node rejects a
     * configuration that gives this provider any other key, naming the provider and the keys it
     * knows, so a misspelt option never falls back to its default silently. {@link #create} may
     * check the values (and may reject unknown keys itself too).
     */
    Set<String> optionKeys();

    /**
     * Makes a store as configured by the context's options (each provider documents its own),
     * without opening it: {@code create} checks the options and does no I/O; the caller then calls
     * {@link Store#open()}, which acquires files and connections (and reports what is wrong with
     * them).
     *
     * @throws dev.pando.ConfigurationException for invalid options
     */
    Store create(StoreContext context);
}
