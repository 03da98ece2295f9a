package dev.pando.store.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.spi.StoreProvider;
import dev.pando.testkit.support.Operations;
import dev.pando.testkit.StoreProviders;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MemoryStoreProviderTest {
    @Test
    void serviceLoaderFindsTheProviderByName() {
        assertThat(StoreProviders.named("memory")).hasValueSatisfying(
                p -> assertThat(p).isInstanceOf(MemoryStoreProvider.class));
    }

    @Test
    void theServicesFileNamesTheProvider() throws IOException {
        try (InputStream in = MemoryStoreProvider.class.getResourceAsStream(
                "/META-INF/services/" + StoreProvider.class.getName())) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim())
                    .isEqualTo(MemoryStoreProvider.class.getName());
        }
    }

    @Test
    void itDeclaresThatItTakesNoOptions() {
        assertThat(new MemoryStoreProvider().optionKeys()).isEmpty();
    }

    @Test
    void eachStoreIsIndependent() {
        StoreProvider provider = new MemoryStoreProvider();
        Operation op = Operations.chain(Operations.key(1), LogId.EMPTY, 1).get(0);
        try (Store first = provider.create(new StoreContext(ProviderOptions.empty()));
                Store second = provider.create(new StoreContext(ProviderOptions.of("unused", "x")))) {
            first.open();
            second.open();
            first.insert(op);

            assertThat(first.has(op.id())).isTrue();
            assertThat(second.has(op.id())).isFalse();
        }
    }
}
