package dev.pando.testkit;

import dev.pando.ConfigurationException;
import dev.pando.spi.StoreProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Finds {@link StoreProvider}s with {@link ServiceLoader}, by the node's rule: a name is an
 * identity, so two providers with one name are an error naming both (the node's
 * {@code ProviderRegistry} applies the same rule; the testkit cannot depend on the node). A
 * provider module's own tests cannot call {@code ServiceLoader.load(StoreProvider.class)} (their
 * module does not declare {@code uses}); this module does, so tests look providers up here.
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

    /**
     * The provider with this name, if one is visible.
     *
     * @throws ConfigurationException if two visible providers have this name
     */
    public static Optional<StoreProvider> named(String name) {
        return named(name, all());
    }

    static Optional<StoreProvider> named(String name, List<StoreProvider> providers) {
        List<StoreProvider> named = providers.stream().filter(p -> p.name().equals(name)).toList();
        if (named.size() > 1) {
            throw new ConfigurationException("two store providers are named \"" + name + "\": "
                    + named.stream().map(StoreProviders::describe).toList());
        }
        return named.stream().findFirst();
    }

    private static String describe(StoreProvider p) {
        Module m = p.getClass().getModule();
        return p.getClass().getName() + " in " + (m.isNamed() ? "module " + m.getName() : "the unnamed module (class path)");
    }
}
