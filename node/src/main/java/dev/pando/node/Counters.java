package dev.pando.node;

import dev.pando.OperationError;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/** The live counters behind {@link IngestCounters}; lock-free so a snapshot never waits for a batch. */
final class Counters {
    final LongAdder inserted = new LongAdder();
    final LongAdder released = new LongAdder();
    final LongAdder duplicate = new LongAdder();
    final LongAdder outdated = new LongAdder();
    final LongAdder pending = new LongAdder();
    final LongAdder fork = new LongAdder();
    final LongAdder headerTooLarge = new LongAdder();
    private final AtomicLongArray rejected = new AtomicLongArray(OperationError.values().length);
    private final AtomicLongArray evicted = new AtomicLongArray(EvictionReason.values().length);

    void rejected(OperationError kind) {
        rejected.incrementAndGet(kind.ordinal());
    }

    void evicted(EvictionReason reason, long count) {
        evicted.addAndGet(reason.ordinal(), count);
    }

    IngestCounters snapshot(long pendingOperations, long pendingBytes) {
        Map<OperationError, Long> r = new EnumMap<>(OperationError.class);
        for (OperationError k : OperationError.values()) {
            long v = rejected.get(k.ordinal());
            if (v != 0) {
                r.put(k, v);
            }
        }
        Map<EvictionReason, Long> e = new EnumMap<>(EvictionReason.class);
        for (EvictionReason k : EvictionReason.values()) {
            long v = evicted.get(k.ordinal());
            if (v != 0) {
                e.put(k, v);
            }
        }
        return new IngestCounters(inserted.sum(), released.sum(), duplicate.sum(), outdated.sum(), pending.sum(),
                fork.sum(), headerTooLarge.sum(), r, e, pendingOperations, pendingBytes);
    }
}
