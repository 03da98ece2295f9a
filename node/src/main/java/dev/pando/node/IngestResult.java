package dev.pando.node;

import dev.pando.Hash;
import dev.pando.LogKey;
import dev.pando.OperationError;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Ingest} did with one operation. Exactly one of seven outcomes; switch over them with
 * pattern matching.
 */
public sealed interface IngestResult {

    /**
     * It was stored. Storing it may have completed the chain of operations held as {@link Pending};
     * those were stored too, in log order, and their ids are listed in {@code released}.
     */
    record Inserted(Hash id, LogKey log, long seqNum, List<Hash> released) implements IngestResult {
        public Inserted {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(log, "log");
            released = List.copyOf(released);
        }
    }

    /**
     * The store already holds this operation (same id). Nothing changed, except that a body the
     * store had deleted is stored again if this copy carries it (sync restores payloads so).
     */
    record Duplicate(Hash id, LogKey log, long seqNum) implements IngestResult {
        public Duplicate {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(log, "log");
        }
    }

    /**
     * Its position lies below the stored part of its log: before the point the log was pruned to,
     * so it was deliberately deleted and is not stored again.
     */
    record Outdated(Hash id, LogKey log, long seqNum) implements IngestResult {
        public Outdated {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(log, "log");
        }
    }

    /**
     * It is valid on its own but its predecessor in the log is missing. It is held in a bounded
     * buffer and stored automatically when the predecessor arrives (then it is listed in that
     * operation's {@link Inserted#released()}). It may be evicted before that; evictions are
     * counted in {@link IngestCounters#evicted()}.
     *
     * @param highestStoredSeq the highest seq of the log stored when it arrived, if any
     */
    record Pending(Hash id, LogKey log, long seqNum, Optional<Long> highestStoredSeq) implements IngestResult {
        public Pending {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(log, "log");
            Objects.requireNonNull(highestStoredSeq, "highestStoredSeq");
        }
    }

    /**
     * It is invalid: undecodable, badly signed, inconsistent, or it does not follow the previous
     * operation of its log. Nothing was stored.
     *
     * @param id absent when the header could not be decoded
     */
    record Rejected(OperationError kind, String message, Optional<Hash> id) implements IngestResult {
        public Rejected {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * Its header is longer than the pipeline accepts ({@link Ingest.Builder#maxHeaderBytes}); it was
     * neither decoded nor stored.
     *
     * @param headerBytes the header's length
     * @param limit the pipeline's limit
     */
    record HeaderTooLarge(int headerBytes, int limit) implements IngestResult {
    }

    /**
     * A different operation already occupies its (author, log, seq): the author forked the log.
     * The stored operation stays; this one is rejected.
     */
    record Fork(LogKey log, long seqNum, Hash stored, Hash rejected) implements IngestResult {
        public Fork {
            Objects.requireNonNull(log, "log");
            Objects.requireNonNull(stored, "stored");
            Objects.requireNonNull(rejected, "rejected");
        }
    }
}
