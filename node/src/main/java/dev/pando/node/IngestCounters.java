package dev.pando.node;

import dev.pando.OperationError;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of what an {@link Ingest} has done since it was created. Each field counts one kind
 * of result; {@code released} counts pending operations that were stored later (so everything
 * stored is {@code inserted + released}). Rejections of pending operations that turned out not to
 * follow their predecessor, and forks among them, are counted here too although no caller saw
 * them. Fields are read one after another, not atomically together.
 *
 * @param headerTooLarge headers over the pipeline's size limit (not decoded, not stored)
 * @param rejected per error kind, only kinds that occurred
 * @param evicted per reason, only reasons that occurred
 * @param pendingOperations operations held right now
 * @param pendingBytes header plus body bytes held right now
 */
public record IngestCounters(long inserted, long released, long duplicate, long outdated, long pending, long fork,
        long headerTooLarge, Map<OperationError, Long> rejected, Map<EvictionReason, Long> evicted, long pendingOperations,
        long pendingBytes) {

    public IngestCounters {
        rejected = Map.copyOf(Objects.requireNonNull(rejected, "rejected"));
        evicted = Map.copyOf(Objects.requireNonNull(evicted, "evicted"));
    }

    /** All rejections, whatever their kind. */
    public long rejectedTotal() {
        return rejected.values().stream().mapToLong(Long::longValue).sum();
    }
}
