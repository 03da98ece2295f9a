/**
 * {@link dev.pando.spi.StoreProvider} "memory": a thread-safe store that keeps everything in the
 * heap and loses it on close. Exports nothing; found with {@link java.util.ServiceLoader}.
 */
module dev.pando.store.memory {
    requires dev.pando.api;

    provides dev.pando.spi.StoreProvider with dev.pando.store.memory.MemoryStoreProvider;
}
