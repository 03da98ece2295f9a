package dev.pando.store.sqlite;

import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.testkit.StoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContract {
    @TempDir
    Path dir;

    @Override
    protected Store createStore() {
        return new SqliteStoreProvider().create(new StoreContext(
                ProviderOptions.of("path", dir.resolve("contract.sqlite").toString())));
    }
}
