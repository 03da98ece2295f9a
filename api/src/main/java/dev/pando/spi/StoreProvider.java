package dev.pando.spi;

/**
 * Makes {@link Store}s. Found with {@link java.util.ServiceLoader}; stateless and cheap. The
 * {@link #name()} identifies the provider in configuration ("memory", "sqlite"); two providers
 * with one name are a startup error.
 */
public interface StoreProvider {
    /** The provider's unique name, lowercase. */
    String name();

    /**
     * Opens a store as configured by the context's options (each provider documents its own).
     * Opening may do I/O (a database file is opened and migrated here).
     *
     * @throws dev.pando.StoreException if the store cannot be opened (missing or read-only directory,
     *     corrupt file, a schema written by a newer version)
     * @throws dev.pando.ConfigurationException for invalid options
     */
    Store create(StoreContext context);
}
