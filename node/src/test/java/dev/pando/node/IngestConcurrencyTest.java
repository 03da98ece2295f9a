package dev.pando.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.LogId;
import dev.pando.Operation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class IngestConcurrencyTest {

    @Test
    void concurrentIngestOfTheSameLogsNeitherForksNorLosesOperations() throws Exception {
        List<Operation> all = new ArrayList<>();
        for (int a = 0; a < 3; a++) {
            all.addAll(Logs.chain(Logs.key(200 + a), LogId.EMPTY, 60));
        }
        FaultyStore store = new FaultyStore();
        int threads = 4;
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (Ingest ingest = Ingest.builder(store).verifyThreads(2).build()) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<Operation> mine = new ArrayList<>(all);
                Collections.shuffle(mine, new Random(t));
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < mine.size(); i += 20) {
                        ingest.ingestBatch(Logs.inputs(mine.subList(i, Math.min(mine.size(), i + 20))));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            IngestCounters c = ingest.counters();
            assertThat(c.inserted() + c.released()).isEqualTo(all.size());
            assertThat(c.fork()).isZero();
            assertThat(c.rejectedTotal()).isZero();
            assertThat(c.evicted()).isEmpty();
            assertThat(c.pendingOperations()).isZero();
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.logs()).hasSize(3);
        for (var k : store.logs()) {
            assertThat(store.log(k.author(), k.logId(), 0, 100)).extracting(Operation::seqNum)
                    .containsExactlyElementsOf(LongStream.range(0, 60).boxed().toList());
        }
    }

    @Test
    void asyncBatchesApplyInCallOrder() {
        List<Operation> chain = Logs.chain(Logs.key(210), LogId.EMPTY, 200);
        FaultyStore store = new FaultyStore();
        try (Ingest ingest = Ingest.builder(store).verifyThreads(2).build()) {
            List<java.util.concurrent.CompletableFuture<List<IngestResult>>> futures = new ArrayList<>();
            // batches of different sizes, so that a later one could finish verifying first
            int[] sizes = {40, 5, 60, 17, 3, 75};
            int from = 0;
            for (int size : sizes) {
                futures.add(ingest.ingestBatchAsync(Logs.inputs(chain.subList(from, from + size))));
                from += size;
            }
            for (var f : futures) {
                assertThat(f.join()).allSatisfy(r -> assertThat(r).isInstanceOf(IngestResult.Inserted.class));
            }
            // a direct ingest after them sees every one applied
            assertThat(ingest.ingest(Logs.input(chain.get(0)))).isInstanceOf(IngestResult.Duplicate.class);
            assertThat(ingest.counters().pending()).isZero();
        }
        assertThat(store.log(Logs.key(210).publicKey(), LogId.EMPTY, 0, 1000)).hasSize(200);
    }

    @Test
    void closingWithBatchesOutstandingNeitherHangsNorLosesAnAppliedBatch() {
        List<Operation> chain = Logs.chain(Logs.key(220), LogId.EMPTY, 100);
        FaultyStore store = new FaultyStore();
        Ingest ingest = Ingest.builder(store).verifyThreads(2).build();
        List<java.util.concurrent.CompletableFuture<List<IngestResult>>> futures = new ArrayList<>();
        for (int i = 0; i < 100; i += 20) {
            futures.add(ingest.ingestBatchAsync(Logs.inputs(chain.subList(i, i + 20))));
        }
        ingest.close();
        int applied = 0;
        for (var f : futures) {
            try {
                f.join();
                applied++;
            } catch (java.util.concurrent.CompletionException e) {
                assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
            }
        }
        assertThat(store.log(Logs.key(220).publicKey(), LogId.EMPTY, 0, 1000)).hasSize(applied * 20);
    }
}
