package dev.pando.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.LogId;
import dev.pando.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

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

    @Property(tries = 60)
    void anyOrderWithDuplicatesInAnyBatchesStoresEveryLogCompletely(@ForAll long seed,
            @ForAll @IntRange(min = 1, max = 30) int batchSize) {
        Random random = new Random(seed);
        List<Operation> input = new ArrayList<>(OPS);
        for (int i = 0; i < 20; i++) {
            input.add(OPS.get(random.nextInt(OPS.size())));
        }
        java.util.Collections.shuffle(input, random);
        MapStore store = new MapStore();
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

    @Property(tries = 300)
    void arbitraryBytesAreRejectedNeverThrown(@ForAll @Size(max = 300) byte[] header, @ForAll boolean withBody) {
        MapStore store = new MapStore();
        try (Ingest ingest = Ingest.builder(store).verifyThreads(1).build()) {
            IngestInput in = withBody ? IngestInput.of(header, new byte[] {1}) : IngestInput.withoutBody(header);
            assertThat(ingest.ingest(in)).isInstanceOf(IngestResult.Rejected.class);
        }
        assertThat(store.logs()).isEmpty();
    }
}
