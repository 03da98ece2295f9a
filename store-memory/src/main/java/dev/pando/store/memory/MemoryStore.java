package dev.pando.store.memory;

import dev.pando.Hash;
import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.PublicKey;
import dev.pando.StoreException;
import dev.pando.TopicId;
import dev.pando.spi.LogRangeSize;
import dev.pando.spi.RawOperation;
import dev.pando.spi.Store;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Plain maps behind one read-write lock. A lock (rather than concurrent maps) is what makes a batch
 * atomic for readers too: a reader holds the read lock for its whole call, so it sees a batch
 * either entirely or not at all, and the by-id and by-log indexes always agree.
 */
final class MemoryStore implements Store {
    private final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    private final Lock read = rw.readLock();
    private final Lock write = rw.writeLock();

    // all guarded by rw
    private final Map<Hash, Entry> byId = new HashMap<>();
    private final TreeMap<LogKey, TreeMap<Long, Entry>> logs = new TreeMap<>();
    private final Map<TopicId, Set<LogKey>> topics = new HashMap<>();
    private boolean opened;
    private boolean closed;

    /**
     * One stored operation. The header and body bytes are copied once on insert so that raw reads
     * hand out the stored arrays without copying (RawOperation's contract forbids modifying them).
     */
    private record Entry(Operation operation, LogKey log, byte[] header, byte[] body) {
        static Entry of(Operation op) {
            return new Entry(op, new LogKey(op.author(), op.logId()), op.headerBytes(),
                    op.body().map(b -> b.bytes()).orElse(null));
        }

        Entry withoutBody() {
            return new Entry(operation.withoutBody(), log, header, null);
        }

        RawOperation raw() {
            return new RawOperation(operation.id(), operation.seqNum(), header, Optional.ofNullable(body));
        }

        long size() {
            return header.length + (body == null ? 0 : body.length);
        }
    }

    // ---- operations by id ----

    @Override
    public boolean insert(Operation operation) {
        Objects.requireNonNull(operation, "operation");
        write.lock();
        try {
            checkOpen();
            Entry stored = byId.get(operation.id());
            if (stored != null) {
                restoreBody(stored, operation);
                return false;
            }
            Entry entry = Entry.of(operation);
            TreeMap<Long, Entry> log = logs.get(entry.log());
            if (log != null) {
                Entry occupant = log.get(operation.seqNum());
                if (occupant != null) {
                    throw fork(operation, occupant.operation().id());
                }
            }
            put(entry);
            return true;
        } finally {
            write.unlock();
        }
    }

    @Override
    public boolean[] insertBatch(List<Operation> operations) {
        List<Operation> batch = List.copyOf(operations);
        boolean[] fresh = new boolean[batch.size()];
        write.lock();
        try {
            checkOpen();
            // check everything first, so that a fork anywhere leaves the store untouched
            Map<Hash, Boolean> seen = new HashMap<>();
            Map<LogKey, Map<Long, Hash>> claimed = new HashMap<>();
            List<Entry> toPut = new ArrayList<>();
            List<Operation> toRestore = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                Operation op = batch.get(i);
                if (byId.containsKey(op.id()) || seen.putIfAbsent(op.id(), Boolean.TRUE) != null) {
                    toRestore.add(op); // stored already, or earlier in this batch
                    continue;
                }
                Entry entry = Entry.of(op);
                TreeMap<Long, Entry> log = logs.get(entry.log());
                Entry occupant = log == null ? null : log.get(op.seqNum());
                if (occupant != null) {
                    throw fork(op, occupant.operation().id());
                }
                Hash other = claimed.computeIfAbsent(entry.log(), k -> new HashMap<>()).putIfAbsent(op.seqNum(), op.id());
                if (other != null) {
                    throw fork(op, other);
                }
                fresh[i] = true;
                toPut.add(entry);
            }
            toPut.forEach(this::put);
            for (Operation op : toRestore) {
                restoreBody(byId.get(op.id()), op);
            }
            return fresh;
        } finally {
            write.unlock();
        }
    }

    private void put(Entry entry) {
        byId.put(entry.operation().id(), entry);
        logs.computeIfAbsent(entry.log(), k -> new TreeMap<>()).put(entry.operation().seqNum(), entry);
    }

    /** An operation stored again brings back the body that was deleted from it (sync restores payloads so). */
    private void restoreBody(Entry stored, Operation again) {
        if (stored.body() == null && again.body().isPresent()) {
            replace(Entry.of(again));
        }
    }

    private static StoreException fork(Operation op, Hash occupant) {
        return new StoreException(StoreException.Reason.CONFLICT, "seq " + op.seqNum() + " of log " + op.logId() + " by " + op.author()
                + " is already taken by operation " + occupant + ", cannot store " + op.id());
    }

    @Override
    public Optional<Operation> get(Hash id) {
        read.lock();
        try {
            checkOpen();
            Entry e = byId.get(id);
            return e == null ? Optional.empty() : Optional.of(e.operation());
        } finally {
            read.unlock();
        }
    }

    @Override
    public Optional<RawOperation> getRaw(Hash id) {
        read.lock();
        try {
            checkOpen();
            Entry e = byId.get(id);
            return e == null ? Optional.empty() : Optional.of(e.raw());
        } finally {
            read.unlock();
        }
    }

    @Override
    public boolean has(Hash id) {
        read.lock();
        try {
            checkOpen();
            return byId.containsKey(id);
        } finally {
            read.unlock();
        }
    }

    @Override
    public boolean delete(Hash id) {
        write.lock();
        try {
            checkOpen();
            Entry e = byId.remove(id);
            if (e == null) {
                return false;
            }
            TreeMap<Long, Entry> log = logs.get(e.log());
            log.remove(e.operation().seqNum());
            if (log.isEmpty()) {
                logs.remove(e.log());
            }
            return true;
        } finally {
            write.unlock();
        }
    }

    @Override
    public boolean deletePayload(Hash id) {
        write.lock();
        try {
            checkOpen();
            Entry e = byId.get(id);
            if (e == null || e.body() == null) {
                return false;
            }
            replace(e.withoutBody());
            return true;
        } finally {
            write.unlock();
        }
    }

    private void replace(Entry entry) {
        byId.put(entry.operation().id(), entry);
        logs.get(entry.log()).put(entry.operation().seqNum(), entry);
    }

    // ---- logs ----

    @Override
    public List<Operation> log(PublicKey author, LogId logId, long fromSeq, int limit) {
        checkLimit(limit);
        read.lock();
        try {
            checkOpen();
            List<Operation> out = new ArrayList<>(Math.min(limit, 1024));
            for (Entry e : from(author, logId, fromSeq)) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(e.operation());
            }
            return out;
        } finally {
            read.unlock();
        }
    }

    @Override
    public List<RawOperation> rawLog(PublicKey author, LogId logId, long fromSeq, int limit) {
        checkLimit(limit);
        read.lock();
        try {
            checkOpen();
            List<RawOperation> out = new ArrayList<>(Math.min(limit, 1024));
            for (Entry e : from(author, logId, fromSeq)) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(e.raw());
            }
            return out;
        } finally {
            read.unlock();
        }
    }

    private Iterable<Entry> from(PublicKey author, LogId logId, long fromSeq) {
        TreeMap<Long, Entry> log = logs.get(new LogKey(author, logId));
        return log == null ? List.of() : log.tailMap(fromSeq, true).values();
    }

    private static void checkLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
    }

    @Override
    public Optional<Operation> latest(PublicKey author, LogId logId) {
        read.lock();
        try {
            checkOpen();
            TreeMap<Long, Entry> log = logs.get(new LogKey(author, logId));
            return log == null ? Optional.empty() : Optional.of(log.lastEntry().getValue().operation());
        } finally {
            read.unlock();
        }
    }

    @Override
    public Map<PublicKey, Long> heights(LogId logId) {
        read.lock();
        try {
            checkOpen();
            Map<PublicKey, Long> out = new HashMap<>();
            logs.forEach((key, log) -> {
                if (key.logId().equals(logId)) {
                    out.put(key.author(), log.lastKey());
                }
            });
            return out;
        } finally {
            read.unlock();
        }
    }

    @Override
    public List<LogKey> logs() {
        read.lock();
        try {
            checkOpen();
            return List.copyOf(logs.keySet());
        } finally {
            read.unlock();
        }
    }

    @Override
    public int prune(PublicKey author, LogId logId, long beforeSeq) {
        write.lock();
        try {
            checkOpen();
            LogKey key = new LogKey(author, logId);
            TreeMap<Long, Entry> log = logs.get(key);
            if (log == null) {
                return 0;
            }
            NavigableMap<Long, Entry> doomed = log.headMap(beforeSeq, false);
            int count = doomed.size();
            for (Entry e : doomed.values()) {
                byId.remove(e.operation().id());
            }
            doomed.clear();
            if (log.isEmpty()) {
                logs.remove(key);
            }
            return count;
        } finally {
            write.unlock();
        }
    }

    @Override
    public int deletePayloads(PublicKey author, LogId logId, long fromSeq, long toSeq) {
        write.lock();
        try {
            checkOpen();
            int count = 0;
            List<Entry> stripped = new ArrayList<>();
            for (Entry e : range(author, logId, fromSeq, toSeq)) {
                if (e.body() != null) {
                    stripped.add(e.withoutBody());
                    count++;
                }
            }
            stripped.forEach(this::replace);
            return count;
        } finally {
            write.unlock();
        }
    }

    @Override
    public LogRangeSize rangeSize(PublicKey author, LogId logId, long fromSeq, long toSeq) {
        read.lock();
        try {
            checkOpen();
            long ops = 0;
            long bytes = 0;
            for (Entry e : range(author, logId, fromSeq, toSeq)) {
                ops++;
                bytes += e.size();
            }
            return ops == 0 ? LogRangeSize.EMPTY : new LogRangeSize(ops, bytes);
        } finally {
            read.unlock();
        }
    }

    private Iterable<Entry> range(PublicKey author, LogId logId, long fromSeq, long toSeq) {
        TreeMap<Long, Entry> log = logs.get(new LogKey(author, logId));
        if (log == null || fromSeq > toSeq) {
            return List.of();
        }
        return log.subMap(fromSeq, true, toSeq, true).values();
    }

    // ---- topics ----

    @Override
    public boolean addToTopic(TopicId topic, LogKey log) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(log, "log");
        write.lock();
        try {
            checkOpen();
            return topics.computeIfAbsent(topic, t -> new HashSet<>()).add(log);
        } finally {
            write.unlock();
        }
    }

    @Override
    public boolean removeFromTopic(TopicId topic, LogKey log) {
        write.lock();
        try {
            checkOpen();
            Set<LogKey> set = topics.get(topic);
            if (set == null || !set.remove(log)) {
                return false;
            }
            if (set.isEmpty()) {
                topics.remove(topic);
            }
            return true;
        } finally {
            write.unlock();
        }
    }

    @Override
    public Set<LogKey> topicLogs(TopicId topic) {
        read.lock();
        try {
            checkOpen();
            Set<LogKey> set = topics.get(topic);
            return set == null ? Set.of() : Set.copyOf(set);
        } finally {
            read.unlock();
        }
    }

    // ---- lifecycle ----

    /** Nothing to acquire: marks the store open. */
    @Override
    public void open() {
        write.lock();
        try {
            if (opened || closed) {
                throw new IllegalStateException("the memory store was " + (closed ? "closed" : "opened") + " before");
            }
            opened = true;
        } finally {
            write.unlock();
        }
    }

    @Override
    public void close() {
        write.lock();
        try {
            closed = true;
            // let the garbage collector have everything even if the store object is still referenced
            byId.clear();
            logs.clear();
            topics.clear();
        } finally {
            write.unlock();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new StoreException(StoreException.Reason.CLOSED, "the memory store is closed");
        }
        if (!opened) {
            throw new IllegalStateException("the memory store is not open yet: call open() first");
        }
    }

    @Override
    public String toString() {
        read.lock();
        try {
            return "MemoryStore[" + byId.size() + " operations in " + logs.size() + " logs" + (closed ? ", closed" : "") + "]";
        } finally {
            read.unlock();
        }
    }
}
