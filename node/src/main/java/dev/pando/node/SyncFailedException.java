package dev.pando.node;

import dev.pando.PandoException;
import java.util.Objects;

/** A sync session failed ({@link TopicSubscription#syncWith}); {@link #reason()} says how. */
public class SyncFailedException extends PandoException {
    private static final long serialVersionUID = 1L;

    private final SyncFailure reason;

    public SyncFailedException(SyncFailure reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public SyncFailure reason() {
        return reason;
    }
}
