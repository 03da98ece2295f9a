package dev.pando.store.memory;

import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.spi.StoreProvider;
import java.util.Set;

/**
 * The "memory" store provider: each {@link #create} returns a new, empty in-memory store, to be
 * opened with {@link dev.pando.spi.Store#open()} (which acquires nothing). It takes no options
 * ({@link #optionKeys()} is empty, so the node rejects any given) and does no I/O.
 */
public final class MemoryStoreProvider implements StoreProvider {
    /** The provider's name in configuration. */
    public static final String NAME = "memory";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> optionKeys() {
        return Set.of();
    }

    @Override
    public Store create(StoreContext context) {
        return new MemoryStore();
    }
}
