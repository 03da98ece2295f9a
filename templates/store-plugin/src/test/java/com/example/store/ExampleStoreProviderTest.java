package com.example.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.ConfigurationException;
import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.StoreException;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.testkit.StoreProviders;
import dev.pando.testkit.support.Operations;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the contract leaves to each store: how it is found, and its options. */
class ExampleStoreProviderTest {
    @Test
    void theProviderIsFoundByNameAsPandoFindsIt() {
        // through ServiceLoader, as the node and ./pando find it: proves the provides clause
        assertThat(StoreProviders.named(ExampleStoreProvider.NAME))
                .as("a store provider named \"example\" on the module path")
                .get().isInstanceOf(ExampleStoreProvider.class);
    }

    @Test
    void itDeclaresTheOptionsItReads() {
        assertThat(new ExampleStoreProvider().optionKeys()).containsExactly(ExampleStoreProvider.MAX_OPERATIONS);
    }

    @Test
    void maxOperationsCapsTheStoreAndAFullBatchStoresNothing() {
        List<Operation> chain = Operations.chain(Operations.key(1), LogId.EMPTY, 3);
        try (Store store = create(ProviderOptions.of(ExampleStoreProvider.MAX_OPERATIONS, "2"))) {
            store.open();
            assertThat(store.insert(chain.get(0))).as("first insert is new").isTrue();
            assertThatThrownBy(() -> store.insertBatch(chain.subList(1, 3)))
                    .as("a batch of two into a store with room for one")
                    .isInstanceOfSatisfying(StoreException.class,
                            e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.FULL));
            assertThat(store.has(chain.get(1).id())).as("nothing of the failed batch is stored").isFalse();
            assertThat(store.insert(chain.get(1))).as("the second operation still fits").isTrue();
            assertThat(store.insert(chain.get(1))).as("a duplicate takes no room").isFalse();
        }
    }

    @Test
    void maxOperationsMustBeAPositiveNumber() {
        for (String bad : List.of("0", "-1", "many")) {
            assertThatThrownBy(() -> create(ProviderOptions.of(ExampleStoreProvider.MAX_OPERATIONS, bad)))
                    .as("max_operations=%s", bad)
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining(ExampleStoreProvider.MAX_OPERATIONS);
        }
    }

    private static Store create(ProviderOptions options) {
        return new ExampleStoreProvider().create(new StoreContext(options));
    }
}
