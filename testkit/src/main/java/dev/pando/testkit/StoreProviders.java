package dev.pando.testkit;

import dev.pando.spi.StoreProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds {@link StoreProvider}s with {@link ServiceLoader}, as the node does. A provider module's
 * own tests cannot call {@code ServiceLoader.load(StoreProvider.class)} (their module does not
 * declare {@code uses}); this module does, so tests look providers up here.
 */
public final class StoreProviders {
    private StoreProviders() {
    }

    /** Every store provider visible on the module path (or class path), in discovery order. */
    public static List<StoreProvider> all() {
        List<StoreProvider> found = new ArrayList<>();
        ServiceLoader.load(StoreProvider.class).forEach(found::add);
        return found;
    }

    /** The provider with this name, if one is visible. */
    public static Optional<StoreProvider> named(String name) {
        return all().stream().filter(p -> p.name().equals(name)).findFirst();
    }
}
