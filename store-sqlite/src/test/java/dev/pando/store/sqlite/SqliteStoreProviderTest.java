package dev.pando.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.spi.StoreProvider;
import dev.pando.testkit.StoreProviders;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SqliteStoreProviderTest {
    @Test
    void serviceLoaderFindsTheProviderByName() {
        assertThat(StoreProviders.named("sqlite")).hasValueSatisfying(
                p -> assertThat(p).isInstanceOf(SqliteStoreProvider.class));
    }

    @Test
    void itDeclaresTheOptionKeysItReads() {
        assertThat(new SqliteStoreProvider().optionKeys())
                .containsExactlyInAnyOrder("path", "journal_mode", "synchronous", "busy_timeout", "readers", "read_only");
    }

    @Test
    void theServicesFileNamesTheProvider() throws IOException {
        try (InputStream in = SqliteStoreProvider.class.getResourceAsStream(
                "/META-INF/services/" + StoreProvider.class.getName())) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim())
                    .isEqualTo(SqliteStoreProvider.class.getName());
        }
    }
}
