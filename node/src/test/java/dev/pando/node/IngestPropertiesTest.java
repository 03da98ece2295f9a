package dev.pando.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.testkit.Trials;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pipeline over seeded random inputs ({@link Trials}: a failure names its seed). */
class IngestPropertiesTest {
    /** Signed once: signing dominates otherwise. */
    private static final List<Operation> OPS = build();

    private static List<Operation> build() {
        List<Operation> ops = new ArrayList<>();
        for (int a = 0; a < 3; a++) {
            for (int l = 0; l < 2; l++) {
                ops.addAll(Logs.chain(Logs.key(300 + a), LogId.of(new byte[] {(byte) l}), 8));
            }
        }
        return ops;
    }

    @Test
    void anyOrderWithDuplicatesInAnyBatchesStoresEveryLogCompletely() {
        Trials.run(60, random -> {
            int batchSize = 1 + random.nextInt(30);
            ingestShuffled(random, batchSize);
        });
    }

    private static void ingestShuffled(Random random, int batchSize) {
        List<Operation> input = new ArrayList<>(OPS);
        for (int i = 0; i < 20; i++) {
            input.add(OPS.get(random.nextInt(OPS.size())));
        }
        Collections.shuffle(input, random);
        FaultyStore store = new FaultyStore();
        try (Ingest ingest = Ingest.builder(store).verifyThreads(1).build()) {
            for (int i = 0; i < input.size(); i += batchSize) {
                ingest.ingestBatch(Logs.inputs(input.subList(i, Math.min(input.size(), i + batchSize))));
            }
            IngestCounters c = ingest.counters();
            assertThat(c.inserted() + c.released()).isEqualTo(OPS.size());
            assertThat(c.inserted() + c.duplicate() + c.pending()).isEqualTo(input.size());
            assertThat(c.pendingOperations()).isZero();
            assertThat(c.fork() + c.rejectedTotal() + c.outdated()).isZero();
        }
        for (var k : store.logs()) {
            assertThat(store.log(k.author(), k.logId(), 0, 100)).hasSize(8);
        }
        assertThat(store.logs()).hasSize(6);
    }

    @Test
    void arbitraryBytesAreRejectedNeverThrown() {
        Trials.run(300, random -> {
            byte[] header = new byte[random.nextInt(10) == 0 ? 0 : random.nextInt(301)];
            random.nextBytes(header);
            boolean withBody = random.nextBoolean();
            FaultyStore store = new FaultyStore();
            try (Ingest ingest = Ingest.builder(store).verifyThreads(1).build()) {
                IngestInput in = withBody ? IngestInput.of(header, new byte[] {1}) : IngestInput.withoutBody(header);
                assertThat(ingest.ingest(in)).isInstanceOf(IngestResult.Rejected.class);
            }
            assertThat(store.logs()).isEmpty();
        });
    }
}
