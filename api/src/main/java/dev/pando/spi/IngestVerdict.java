package dev.pando.spi;

import dev.pando.OperationError;
import java.util.Objects;
import java.util.Optional;

/**
 * What the node's ingest pipeline did with one {@link IncomingOperation} handed to an
 * {@link IngestSink}. Providers act on the {@link #status()}: a sync protocol ends the session at
 * the first {@link Status#REJECTED} (the peer sent something invalid) and counts
 * {@link Status#FORK}s.
 *
 * @param status the outcome
 * @param error for {@link Status#REJECTED}: the validation rule that failed, when it is one of
 *     {@link OperationError} (absent, for example, for a header over the pipeline's size limit)
 * @param detail one sentence for logs and errors (empty when there is nothing to add)
 */
public record IngestVerdict(Status status, Optional<OperationError> error, String detail) {

    /** The outcomes, coarser than the node's own result type on purpose: what a provider needs. */
    public enum Status {
        /** Valid and stored (possibly releasing held successors). */
        STORED,
        /** Already stored (same id): nothing changed. */
        DUPLICATE,
        /** Valid, held until its predecessor arrives (bounded; it may be evicted). */
        PENDING,
        /** Below the stored part of its log (pruned there): deliberately not stored again. */
        OUTDATED,
        /** Another operation is stored at its position: the author forked the log; not stored. */
        FORK,
        /** Invalid (undecodable, badly signed, not following its log, too large): not stored. */
        REJECTED
    }

    public IngestVerdict {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(error, "error");
        Objects.requireNonNull(detail, "detail");
        if (error.isPresent() && status != Status.REJECTED) {
            throw new IllegalArgumentException("only a rejected operation has an error kind");
        }
    }

    /** A verdict without error or detail. */
    public static IngestVerdict of(Status status) {
        return new IngestVerdict(status, Optional.empty(), "");
    }

    /** A rejection for a failed validation rule. */
    public static IngestVerdict rejected(OperationError error, String detail) {
        return new IngestVerdict(Status.REJECTED, Optional.of(error), detail);
    }

    /** Whether the operation is stored now or held to be stored later. */
    public boolean accepted() {
        return status == Status.STORED || status == Status.DUPLICATE || status == Status.PENDING;
    }
}
