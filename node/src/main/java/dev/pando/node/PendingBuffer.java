package dev.pando.node;

import dev.pando.Hash;
import dev.pando.LogKey;
import dev.pando.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Valid operations whose predecessor has not arrived, bounded in count and bytes; the oldest is
 * evicted first. Several different operations may wait at one (log, seq): only the predecessor can
 * tell which one belongs to the log. Not thread-safe: {@link Ingest} calls it under its applier lock.
 */
final class PendingBuffer {
    record Entry(Operation operation, LogKey log, long size) {
        Hash id() {
            return operation.id();
        }

        long seqNum() {
            return operation.seqNum();
        }
    }

    private final int maxOperations;
    private final long maxBytes;
    private final Counters counters;
    /** Insertion order is eviction order. */
    private final LinkedHashMap<Hash, Entry> byId = new LinkedHashMap<>();
    private final Map<LogKey, TreeMap<Long, List<Entry>>> byLog = new HashMap<>();
    private long bytes;

    PendingBuffer(int maxOperations, long maxBytes, Counters counters) {
        this.maxOperations = maxOperations;
        this.maxBytes = maxBytes;
        this.counters = counters;
    }

    /** Holds an operation (once per id), then evicts the oldest until both bounds hold again. */
    void add(Operation operation, LogKey log, long size) {
        if (byId.containsKey(operation.id())) {
            return;
        }
        Entry e = new Entry(operation, log, size);
        byId.put(e.id(), e);
        byLog.computeIfAbsent(log, k -> new TreeMap<>()).computeIfAbsent(e.seqNum(), k -> new ArrayList<>(1)).add(e);
        bytes += size;
        while (byId.size() > maxOperations) {
            evictOldest(EvictionReason.COUNT_LIMIT);
        }
        while (bytes > maxBytes && !byId.isEmpty()) {
            evictOldest(EvictionReason.BYTE_LIMIT);
        }
    }

    /** Removes and returns every operation waiting at this position, oldest first. */
    List<Entry> take(LogKey log, long seqNum) {
        TreeMap<Long, List<Entry>> slots = byLog.get(log);
        if (slots == null) {
            return List.of();
        }
        List<Entry> entries = slots.remove(seqNum);
        if (entries == null) {
            return List.of();
        }
        if (slots.isEmpty()) {
            byLog.remove(log);
        }
        for (Entry e : entries) {
            byId.remove(e.id());
            bytes -= e.size();
        }
        return entries;
    }

    /** Evicts every operation of a log below {@code seqNum}, counted under {@code reason}. */
    void dropBelow(LogKey log, long seqNum, EvictionReason reason) {
        TreeMap<Long, List<Entry>> slots = byLog.get(log);
        if (slots == null) {
            return;
        }
        NavigableMap<Long, List<Entry>> below = slots.headMap(seqNum, false);
        long dropped = 0;
        for (Iterator<List<Entry>> it = below.values().iterator(); it.hasNext();) {
            for (Entry e : it.next()) {
                byId.remove(e.id());
                bytes -= e.size();
                dropped++;
            }
            it.remove();
        }
        if (slots.isEmpty()) {
            byLog.remove(log);
        }
        if (dropped > 0) {
            counters.evicted(reason, dropped);
        }
    }

    boolean holds(Hash id) {
        return byId.containsKey(id);
    }

    int size() {
        return byId.size();
    }

    long bytes() {
        return bytes;
    }

    private void evictOldest(EvictionReason reason) {
        Iterator<Entry> it = byId.values().iterator();
        Entry oldest = it.next();
        it.remove();
        bytes -= oldest.size();
        TreeMap<Long, List<Entry>> slots = byLog.get(oldest.log());
        List<Entry> slot = slots.get(oldest.seqNum());
        slot.remove(oldest);
        if (slot.isEmpty()) {
            slots.remove(oldest.seqNum());
            if (slots.isEmpty()) {
                byLog.remove(oldest.log());
            }
        }
        counters.evicted(reason, 1);
    }
}
