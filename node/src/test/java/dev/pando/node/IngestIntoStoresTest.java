package dev.pando.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.testkit.support.Operations;
import dev.pando.testkit.StoreProviders;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pipeline against the real store providers on the test module path. */
class IngestIntoStoresTest {

    private static Store open(String name) {
        Store store = StoreProviders.named(name).orElseThrow().create(new StoreContext(ProviderOptions.empty()));
        store.open();
        return store;
    }

    @Test
    void shuffledLogsWithForksAndDuplicatesEndUpAsCompleteChainsInTheMemoryStore() {
        List<Operation> all = new ArrayList<>();
        for (int a = 0; a < 4; a++) {
            all.addAll(Operations.chain(Operations.key(a), LogId.fromHex("0a"), 50));
        }
        Operation fork = Operation.builder(Operations.key(0)).after(all.get(9)).body(new byte[] {1}).build();
        List<Operation> input = new ArrayList<>(all);
        input.addAll(all.subList(0, 30));
        Collections.shuffle(input, new Random(7));
        input.add(fork);
        try (Store store = open("memory"); Ingest ingest = Ingest.create(store)) {
            for (int i = 0; i < input.size(); i += 64) {
                ingest.ingestBatch(Logs.inputs(input.subList(i, Math.min(input.size(), i + 64))));
            }
            IngestCounters c = ingest.counters();
            assertThat(c.inserted() + c.released()).isEqualTo(all.size());
            assertThat(c.fork()).isEqualTo(1);
            assertThat(store.logs()).hasSize(4);
            for (var log : store.logs()) {
                assertThat(store.log(log.author(), log.logId(), 0, 100)).extracting(Operation::seqNum)
                        .containsExactlyElementsOf(java.util.stream.LongStream.range(0, 50).boxed().toList());
            }
            assertThat(store.has(fork.id())).isFalse();
        }
    }
}
