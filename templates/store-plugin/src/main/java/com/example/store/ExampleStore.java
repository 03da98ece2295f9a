package com.example.store;

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
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A store held in memory, as plain as a store can be: every method holds the one lock of the
 * store ({@code synchronized}), which makes each call atomic and visible to every later call, as
 * the {@link Store} contract asks. Seq numbers are compared as Java {@code long}s, as Pando's own
 * stores and the contract do (a range with {@code fromSeq > toSeq} is empty).
 */
final class ExampleStore implements Store {
    private enum State { NEW, OPEN, CLOSED }

    private final long maxOperations;
    private State state = State.NEW;
    /** Every operation by id; an operation whose payload was deleted is stored without its body. */
    private final Map<Hash, Operation> byId = new HashMap<>();
    /** Each log's operation ids by seq; a log is removed with its last operation. */
    private final NavigableMap<LogKey, NavigableMap<Long, Hash>> logs = new TreeMap<>();
    private final Map<TopicId, Set<LogKey>> topics = new HashMap<>();

    ExampleStore(long maxOperations) {
        this.maxOperations = maxOperations;
    }

    @Override
    public synchronized void open() {
        if (state != State.NEW) {
            throw new IllegalStateException("the store was " + (state == State.OPEN ? "opened" : "closed") + " before");
        }
        state = State.OPEN;
    }

    /** Throws unless the store is open: before {@link #open()} a misuse, after {@link #close()} CLOSED. */
    private void requireOpen() {
        if (state == State.NEW) {
            throw new IllegalStateException("the store is not open yet: call open() first");
        }
        if (state == State.CLOSED) {
            throw new StoreException(StoreException.Reason.CLOSED, "the store is closed");
        }
    }

    @Override
    public synchronized boolean insert(Operation operation) {
        return insertBatch(List.of(operation))[0];
    }

    @Override
    public synchronized boolean[] insertBatch(List<Operation> operations) {
        requireOpen();
        // check everything first, so that a conflict leaves the store as it was
        Map<LogKey, Map<Long, Hash>> taken = new HashMap<>();
        Set<Hash> batch = new LinkedHashSet<>();
        long added = 0;
        for (Operation op : operations) {
            if (byId.containsKey(op.id()) || !batch.add(op.id())) {
                continue;
            }
            LogKey key = new LogKey(op.author(), op.logId());
            Hash occupant = Optional.ofNullable(logs.get(key)).map(log -> log.get(op.seqNum()))
                    .orElseGet(() -> taken.getOrDefault(key, Map.of()).get(op.seqNum()));
            if (occupant != null) {
                throw new StoreException(StoreException.Reason.CONFLICT, "operation " + op.id() + " would take seq "
                        + Long.toUnsignedString(op.seqNum()) + " of a log where " + occupant + " is stored");
            }
            taken.computeIfAbsent(key, k -> new HashMap<>()).put(op.seqNum(), op.id());
            added++;
        }
        if (byId.size() + added > maxOperations) {
            throw new StoreException(StoreException.Reason.FULL, "the store holds " + byId.size()
                    + " operations and may hold " + maxOperations + " (option " + ExampleStoreProvider.MAX_OPERATIONS + ")");
        }
        boolean[] isNew = new boolean[operations.size()];
        for (int i = 0; i < operations.size(); i++) {
            Operation op = operations.get(i);
            Operation stored = byId.get(op.id());
            if (stored == null) {
                byId.put(op.id(), op);
                logs.computeIfAbsent(new LogKey(op.author(), op.logId()), k -> new TreeMap<>())
                        .put(op.seqNum(), op.id());
                isNew[i] = true;
            } else if (stored.body().isEmpty() && op.body().isPresent()) {
                // the same operation again, carrying the payload that was deleted: take it back
                byId.put(op.id(), op);
            }
        }
        return isNew;
    }

    @Override
    public synchronized Optional<Operation> get(Hash id) {
        requireOpen();
        return Optional.ofNullable(byId.get(id));
    }

    @Override
    public synchronized Optional<RawOperation> getRaw(Hash id) {
        requireOpen();
        return Optional.ofNullable(byId.get(id)).map(ExampleStore::raw);
    }

    private static RawOperation raw(Operation op) {
        return new RawOperation(op.id(), op.seqNum(), op.headerBytes(), op.body().map(b -> b.bytes()));
    }

    @Override
    public synchronized boolean has(Hash id) {
        requireOpen();
        return byId.containsKey(id);
    }

    @Override
    public synchronized boolean delete(Hash id) {
        requireOpen();
        Operation op = byId.remove(id);
        if (op == null) {
            return false;
        }
        LogKey key = new LogKey(op.author(), op.logId());
        NavigableMap<Long, Hash> log = logs.get(key);
        log.remove(op.seqNum());
        if (log.isEmpty()) {
            logs.remove(key);
        }
        return true;
    }

    @Override
    public synchronized boolean deletePayload(Hash id) {
        requireOpen();
        Operation op = byId.get(id);
        if (op == null || op.body().isEmpty()) {
            return false;
        }
        byId.put(id, op.withoutBody());
        return true;
    }

    /** A log's entries with seq from {@code fromSeq} on, empty for an unknown log. */
    private NavigableMap<Long, Hash> from(PublicKey author, LogId logId, long fromSeq) {
        NavigableMap<Long, Hash> log = logs.get(new LogKey(author, logId));
        return log == null ? new TreeMap<>() : log.tailMap(fromSeq, true);
    }

    @Override
    public synchronized List<Operation> log(PublicKey author, LogId logId, long fromSeq, int limit) {
        requireOpen();
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        return from(author, logId, fromSeq).values().stream().limit(limit).map(byId::get).toList();
    }

    @Override
    public synchronized List<RawOperation> rawLog(PublicKey author, LogId logId, long fromSeq, int limit) {
        return log(author, logId, fromSeq, limit).stream().map(ExampleStore::raw).toList();
    }

    @Override
    public synchronized Optional<Operation> latest(PublicKey author, LogId logId) {
        requireOpen();
        return Optional.ofNullable(logs.get(new LogKey(author, logId))).map(log -> byId.get(log.lastEntry().getValue()));
    }

    @Override
    public synchronized Map<PublicKey, Long> heights(LogId logId) {
        requireOpen();
        Map<PublicKey, Long> heights = new HashMap<>();
        logs.forEach((key, log) -> {
            if (key.logId().equals(logId)) {
                heights.put(key.author(), log.lastKey());
            }
        });
        return heights;
    }

    @Override
    public synchronized List<LogKey> logs() {
        requireOpen();
        return List.copyOf(logs.keySet());
    }

    @Override
    public synchronized int prune(PublicKey author, LogId logId, long beforeSeq) {
        requireOpen();
        NavigableMap<Long, Hash> log = logs.get(new LogKey(author, logId));
        if (log == null) {
            return 0;
        }
        List<Hash> doomed = new ArrayList<>(log.headMap(beforeSeq, false).values());
        doomed.forEach(this::delete);
        return doomed.size();
    }

    /** A log's entries with {@code fromSeq <= seq <= toSeq}, empty for an empty range or an unknown log. */
    private NavigableMap<Long, Hash> range(PublicKey author, LogId logId, long fromSeq, long toSeq) {
        NavigableMap<Long, Hash> log = logs.get(new LogKey(author, logId));
        if (log == null || fromSeq > toSeq) {
            return new TreeMap<>();
        }
        return log.subMap(fromSeq, true, toSeq, true);
    }

    @Override
    public synchronized int deletePayloads(PublicKey author, LogId logId, long fromSeq, long toSeq) {
        requireOpen();
        int deleted = 0;
        for (Hash id : List.copyOf(range(author, logId, fromSeq, toSeq).values())) {
            if (deletePayload(id)) {
                deleted++;
            }
        }
        return deleted;
    }

    @Override
    public synchronized LogRangeSize rangeSize(PublicKey author, LogId logId, long fromSeq, long toSeq) {
        requireOpen();
        long operations = 0;
        long bytes = 0;
        for (Hash id : range(author, logId, fromSeq, toSeq).values()) {
            operations++;
            bytes += raw(byId.get(id)).size();
        }
        return operations == 0 ? LogRangeSize.EMPTY : new LogRangeSize(operations, bytes);
    }

    @Override
    public synchronized boolean addToTopic(TopicId topic, LogKey log) {
        requireOpen();
        return topics.computeIfAbsent(topic, t -> new LinkedHashSet<>()).add(log);
    }

    @Override
    public synchronized boolean removeFromTopic(TopicId topic, LogKey log) {
        requireOpen();
        Set<LogKey> logsOfTopic = topics.get(topic);
        if (logsOfTopic == null || !logsOfTopic.remove(log)) {
            return false;
        }
        if (logsOfTopic.isEmpty()) {
            topics.remove(topic);
        }
        return true;
    }

    @Override
    public synchronized Set<LogKey> topicLogs(TopicId topic) {
        requireOpen();
        return Set.copyOf(topics.getOrDefault(topic, Set.of()));
    }

    @Override
    public synchronized void close() {
        // idempotent; a store held in memory has nothing else to release
        state = State.CLOSED;
    }
}
