package com.example.store;

import dev.pando.ConfigurationException;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.spi.StoreProvider;
import java.util.Set;

/**
 * The "example" store provider: each {@link #create} returns a new, empty store held in memory.
 * Option {@value #MAX_OPERATIONS} (a positive number; none by default) caps how many operations
 * the store holds: an insert beyond it fails with reason {@code FULL}.
 *
 * <p>Public with a public no-argument constructor: {@link java.util.ServiceLoader} needs both.
 * Stateless and cheap; {@link #create} checks the options and does no I/O.
 */
public final class ExampleStoreProvider implements StoreProvider {
    /** The provider's name: {@code --store example}, {@code store = "example"}. */
    public static final String NAME = "example";
    /** The option that caps the number of operations held. */
    public static final String MAX_OPERATIONS = "max_operations";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> optionKeys() {
        return Set.of(MAX_OPERATIONS);
    }

    @Override
    public Store create(StoreContext context) {
        long max = context.options().longValue(MAX_OPERATIONS, Long.MAX_VALUE);
        if (max <= 0) {
            throw new ConfigurationException("store \"" + NAME + "\": " + MAX_OPERATIONS + " must be positive, not " + max);
        }
        return new ExampleStore(max);
    }
}
