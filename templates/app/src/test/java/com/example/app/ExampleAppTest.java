package com.example.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.Operation;
import dev.pando.PrivateKey;
import dev.pando.node.ProviderRegistry;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleAppTest {
    @TempDir
    Path dir;

    @Test
    void theRegistryFindsTheStoresOnTheModulePath() {
        assertThat(ProviderRegistry.load().stores()).extracting(p -> p.name()).contains("memory", "sqlite");
    }

    @Test
    void aLogWrittenToSqliteIsReadBackInOrderAfterReopening() {
        PrivateKey author = PrivateKey.generate();
        ProviderOptions options = ProviderOptions.of("path", dir.resolve("notes.db").toString());
        List<Operation> written;
        try (Store store = ProviderRegistry.load().createStore("sqlite", options, NodeServices.system())) {
            store.open();
            written = ExampleApp.writeAndReadBack(store, author, 3);
        }
        assertThat(written).extracting(Operation::seqNum).containsExactly(0L, 1L, 2L);
        try (Store reopened = ProviderRegistry.load().createStore("sqlite", options, NodeServices.system())) {
            reopened.open();
            assertThat(reopened.latest(author.publicKey(), written.get(0).logId()))
                    .as("the last note, after reopening the file")
                    .get().satisfies(op -> assertThat(new String(op.body().orElseThrow().bytes(), StandardCharsets.UTF_8))
                            .isEqualTo("note 2"));
        }
    }
}
