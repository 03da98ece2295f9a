/**
 * An example Pando store plug-in: {@link dev.pando.spi.StoreProvider} "example". It exports nothing;
 * Pando finds the provider with {@link java.util.ServiceLoader}.
 */
module com.example.store {
    requires dev.pando.api;

    provides dev.pando.spi.StoreProvider with com.example.store.ExampleStoreProvider;
}
