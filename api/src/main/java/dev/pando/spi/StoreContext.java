package dev.pando.spi;

import java.util.Objects;

/**
 * What the node hands a {@link StoreProvider}: the options configured under the provider's name
 * (for example {@code path} for a database file) and the node's {@link NodeServices} (clock,
 * timers and an executor for background work such as checkpoints; stores emit no events yet).
 */
public record StoreContext(ProviderOptions options, NodeServices services) {
    public StoreContext {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(services, "services");
    }

    /** A context with {@link NodeServices#system()}. */
    public StoreContext(ProviderOptions options) {
        this(options, NodeServices.system());
    }
}
