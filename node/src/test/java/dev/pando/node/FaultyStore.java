package dev.pando.node;

import dev.pando.Hash;
import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.PublicKey;
import dev.pando.StoreException;
import dev.pando.TopicId;
import dev.pando.LogKey;
import dev.pando.spi.LogRangeSize;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.RawOperation;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.testkit.StoreProviders;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The "memory" store provider's store, opened, with two test hooks for the pipeline's tests: it
 * can be told to fail the next batch (the pipeline's error path), and it counts batches. Every
 * call goes to the real store, so what the pipeline tests show holds for a store that keeps the
 * store contract (the hand-written map store it replaces did not: it failed 6 of the 40 contract cases).
 */
final class FaultyStore implements Store {
    private final Store store;
    final AtomicBoolean failNextBatch = new AtomicBoolean();
    private final AtomicInteger batchCount = new AtomicInteger();

    FaultyStore() {
        store = StoreProviders.named("memory").orElseThrow().create(new StoreContext(ProviderOptions.empty()));
        store.open();
    }

    /** Batches that reached the store (a failed one does not count). */
    int batches() {
        return batchCount.get();
    }

    @Override
    public void open() {
        // opened on construction
    }

    @Override
    public boolean insert(Operation operation) {
        return store.insert(operation);
    }

    @Override
    public boolean[] insertBatch(List<Operation> operations) {
        if (failNextBatch.getAndSet(false)) {
            throw new StoreException("injected failure of a batch of " + operations.size());
        }
        boolean[] stored = store.insertBatch(operations);
        batchCount.incrementAndGet();
        return stored;
    }

    @Override
    public Optional<Operation> get(Hash id) {
        return store.get(id);
    }

    @Override
    public Optional<RawOperation> getRaw(Hash id) {
        return store.getRaw(id);
    }

    @Override
    public boolean has(Hash id) {
        return store.has(id);
    }

    @Override
    public boolean delete(Hash id) {
        return store.delete(id);
    }

    @Override
    public boolean deletePayload(Hash id) {
        return store.deletePayload(id);
    }

    @Override
    public List<Operation> log(PublicKey author, LogId logId, long fromSeq, int limit) {
        return store.log(author, logId, fromSeq, limit);
    }

    @Override
    public List<RawOperation> rawLog(PublicKey author, LogId logId, long fromSeq, int limit) {
        return store.rawLog(author, logId, fromSeq, limit);
    }

    @Override
    public Optional<Operation> latest(PublicKey author, LogId logId) {
        return store.latest(author, logId);
    }

    @Override
    public Map<PublicKey, Long> heights(LogId logId) {
        return store.heights(logId);
    }

    @Override
    public List<LogKey> logs() {
        return store.logs();
    }

    @Override
    public int prune(PublicKey author, LogId logId, long beforeSeq) {
        return store.prune(author, logId, beforeSeq);
    }

    @Override
    public int deletePayloads(PublicKey author, LogId logId, long fromSeq, long toSeq) {
        return store.deletePayloads(author, logId, fromSeq, toSeq);
    }

    @Override
    public LogRangeSize rangeSize(PublicKey author, LogId logId, long fromSeq, long toSeq) {
        return store.rangeSize(author, logId, fromSeq, toSeq);
    }

    @Override
    public boolean addToTopic(TopicId topic, LogKey log) {
        return store.addToTopic(topic, log);
    }

    @Override
    public boolean removeFromTopic(TopicId topic, LogKey log) {
        return store.removeFromTopic(topic, log);
    }

    @Override
    public Set<LogKey> topicLogs(TopicId topic) {
        return store.topicLogs(topic);
    }

    @Override
    public List<String> checkIntegrity() {
        return store.checkIntegrity();
    }

    @Override
    public void close() {
        store.close();
    }
}
