package dev.pando.store.memory;

import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.testkit.StoreContract;

class MemoryStoreTest extends StoreContract {
    @Override
    protected Store createStore() {
        return new MemoryStoreProvider().create(new StoreContext(ProviderOptions.empty()));
    }
}
