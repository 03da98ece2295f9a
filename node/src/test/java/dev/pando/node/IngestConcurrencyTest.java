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
        MapStore store = new MapStore();
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
}
