package dev.pando;

import java.util.Objects;
import java.util.Optional;

/**
 * A peer sent an operation that failed validation (bad signature, broken log, …): a protocol
 * violation that names what was wrong with the operation. Nothing invalid was stored.
 */
public class RejectedOperationException extends ProtocolViolationException {
    private static final long serialVersionUID = 1L;

    private final OperationError kind;

    public RejectedOperationException(Optional<OperationError> kind, String message) {
        super(message);
        this.kind = Objects.requireNonNull(kind, "kind").orElse(null);
    }

    /** Why the operation was rejected, when the pipeline said. */
    public Optional<OperationError> kind() {
        return Optional.ofNullable(kind);
    }
}
