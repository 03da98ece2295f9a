package dev.pando.node;

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
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A minimal, synchronized in-memory {@link Store} for the pipeline's tests, independent of the
 * store modules. It can be told to fail the next batch, to test the pipeline's error path.
 */
final class MapStore implements Store {
    private final Map<Hash, Operation> byId = new HashMap<>();
    private final TreeMap<LogKey, TreeMap<Long, Operation>> logs = new TreeMap<>();
    private final Map<TopicId, Set<LogKey>> topics = new HashMap<>();
    final AtomicBoolean failNextBatch = new AtomicBoolean();
    int batches;

    @Override
    public void open() {
        // nothing to acquire
    }

    @Override
    public synchronized boolean insert(Operation op) {
        return insertBatch(List.of(op))[0];
    }

    @Override
    public synchronized boolean[] insertBatch(List<Operation> ops) {
        if (failNextBatch.getAndSet(false)) {
            throw new StoreException("disk full (simulated)");
        }
        Map<Hash, Operation> added = new HashMap<>();
        List<Operation> restored = new ArrayList<>();
        Map<List<Object>, Hash> slots = new HashMap<>();
        boolean[] fresh = new boolean[ops.size()];
        for (int i = 0; i < ops.size(); i++) {
            Operation op = ops.get(i);
            if (byId.containsKey(op.id()) || added.containsKey(op.id())) {
                restored.add(op);
                continue;
            }
            LogKey k = new LogKey(op.author(), op.logId());
            Operation there = logs.getOrDefault(k, new TreeMap<>()).get(op.seqNum());
            Hash inBatch = slots.putIfAbsent(List.of(k, op.seqNum()), op.id());
            if (there != null || inBatch != null) {
                throw new StoreException("position taken: " + k + " seq " + op.seqNum());
            }
            added.put(op.id(), op);
            fresh[i] = true;
        }
        for (Operation op : added.values()) {
            byId.put(op.id(), op);
            logs.computeIfAbsent(new LogKey(op.author(), op.logId()), x -> new TreeMap<>()).put(op.seqNum(), op);
        }
        for (Operation op : restored) {
            // as the Store contract says: inserted again, a deleted body comes back
            if (byId.get(op.id()).body().isEmpty() && op.body().isPresent()) {
                byId.put(op.id(), op);
                logs.get(new LogKey(op.author(), op.logId())).put(op.seqNum(), op);
            }
        }
        batches++;
        return fresh;
    }

    @Override
    public synchronized Optional<Operation> get(Hash id) {
        return Optional.ofNullable(byId.get(id));
    }

    @Override
    public synchronized Optional<RawOperation> getRaw(Hash id) {
        return get(id).map(MapStore::raw);
    }

    private static RawOperation raw(Operation op) {
        return new RawOperation(op.id(), op.seqNum(), op.headerBytes(), op.body().map(b -> b.bytes()));
    }

    @Override
    public synchronized boolean has(Hash id) {
        return byId.containsKey(id);
    }

    @Override
    public synchronized boolean delete(Hash id) {
        Operation op = byId.remove(id);
        if (op == null) {
            return false;
        }
        LogKey k = new LogKey(op.author(), op.logId());
        logs.get(k).remove(op.seqNum());
        if (logs.get(k).isEmpty()) {
            logs.remove(k);
        }
        return true;
    }

    @Override
    public synchronized boolean deletePayload(Hash id) {
        Operation op = byId.get(id);
        if (op == null || op.body().isEmpty()) {
            return false;
        }
        Operation bare = op.withoutBody();
        byId.put(id, bare);
        logs.get(new LogKey(op.author(), op.logId())).put(op.seqNum(), bare);
        return true;
    }

    @Override
    public synchronized List<Operation> log(PublicKey author, LogId logId, long fromSeq, int limit) {
        TreeMap<Long, Operation> l = logs.get(new LogKey(author, logId));
        if (l == null) {
            return List.of();
        }
        return l.tailMap(fromSeq, true).values().stream().limit(limit).toList();
    }

    @Override
    public synchronized List<RawOperation> rawLog(PublicKey author, LogId logId, long fromSeq, int limit) {
        return log(author, logId, fromSeq, limit).stream().map(MapStore::raw).toList();
    }

    @Override
    public synchronized Optional<Operation> latest(PublicKey author, LogId logId) {
        TreeMap<Long, Operation> l = logs.get(new LogKey(author, logId));
        return l == null ? Optional.empty() : Optional.of(l.lastEntry().getValue());
    }

    @Override
    public synchronized Map<PublicKey, Long> heights(LogId logId) {
        Map<PublicKey, Long> h = new HashMap<>();
        logs.forEach((k, l) -> {
            if (k.logId().equals(logId)) {
                h.put(k.author(), l.lastKey());
            }
        });
        return h;
    }

    @Override
    public synchronized List<LogKey> logs() {
        return new ArrayList<>(logs.keySet());
    }

    @Override
    public synchronized int prune(PublicKey author, LogId logId, long beforeSeq) {
        TreeMap<Long, Operation> l = logs.get(new LogKey(author, logId));
        if (l == null) {
            return 0;
        }
        NavigableMap<Long, Operation> head = l.headMap(beforeSeq, false);
        int n = head.size();
        head.values().forEach(op -> byId.remove(op.id()));
        head.clear();
        return n;
    }

    @Override
    public synchronized int deletePayloads(PublicKey author, LogId logId, long fromSeq, long toSeq) {
        int n = 0;
        for (Operation op : log(author, logId, fromSeq, Integer.MAX_VALUE)) {
            if (op.seqNum() <= toSeq && deletePayload(op.id())) {
                n++;
            }
        }
        return n;
    }

    @Override
    public synchronized LogRangeSize rangeSize(PublicKey author, LogId logId, long fromSeq, long toSeq) {
        long ops = 0;
        long bytes = 0;
        for (RawOperation r : rawLog(author, logId, fromSeq, Integer.MAX_VALUE)) {
            if (r.seqNum() <= toSeq) {
                ops++;
                bytes += r.size();
            }
        }
        return new LogRangeSize(ops, bytes);
    }

    @Override
    public synchronized boolean addToTopic(TopicId topic, LogKey log) {
        return topics.computeIfAbsent(topic, t -> new HashSet<>()).add(log);
    }

    @Override
    public synchronized boolean removeFromTopic(TopicId topic, LogKey log) {
        Set<LogKey> s = topics.get(topic);
        return s != null && s.remove(log);
    }

    @Override
    public synchronized Set<LogKey> topicLogs(TopicId topic) {
        return Set.copyOf(topics.getOrDefault(topic, Set.of()));
    }

    @Override
    public void close() {
    }
}
