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
import dev.pando.spi.StoreProvider;
import dev.pando.testkit.support.Operations;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
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
    void moduleInfoAndTheServiceFileDeclareTheSameProvider() throws IOException {
        // the tests run inside the module (surefire patches them in), so its descriptor is at hand
        ModuleDescriptor module = ExampleStoreProvider.class.getModule().getDescriptor();
        assertThat(module).as("tests run on the module path, in module com.example.store").isNotNull();
        assertThat(module.provides()).as("provides clauses of module-info.java (what the module path uses)")
                .singleElement().satisfies(p -> {
                    assertThat(p.service()).isEqualTo(StoreProvider.class.getName());
                    assertThat(p.providers()).containsExactly(ExampleStoreProvider.class.getName());
                });
        String file = "META-INF/services/" + StoreProvider.class.getName();
        try (InputStream in = ExampleStoreProvider.class.getModule().getResourceAsStream(file)) {
            assertThat(in).as(file + " (what the class path uses)").isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).strip())
                    .as(file).isEqualTo(ExampleStoreProvider.class.getName());
        }
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
