package com.example.store;

import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.testkit.StoreContract;

/** Every case of Pando's store contract, run against this store. */
class ExampleStoreTest extends StoreContract {
    @Override
    protected Store createStore() {
        return new ExampleStoreProvider().create(new StoreContext(ProviderOptions.empty()));
    }
}
