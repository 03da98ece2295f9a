package dev.pando.spi;

import java.util.Objects;

/**
 * What the node hands a {@link SyncProvider}: the options configured under the provider's name and
 * the node's {@link NodeServices} (the clock for session deadlines, the executor for the second
 * direction of a session).
 */
public record SyncContext(ProviderOptions options, NodeServices services) {
    public SyncContext {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(services, "services");
    }

    /** A context with {@link NodeServices#system()}. */
    public SyncContext(ProviderOptions options) {
        this(options, NodeServices.system());
    }
}
