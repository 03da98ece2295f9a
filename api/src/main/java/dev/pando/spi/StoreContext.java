package dev.pando.spi;

import java.util.Objects;

/**
 * What the node hands a {@link StoreProvider}: the options configured under the provider's name
 * (for example {@code path} for a database file).
 */
public record StoreContext(ProviderOptions options) {
    public StoreContext {
        Objects.requireNonNull(options, "options");
    }
}
