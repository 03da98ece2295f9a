/**
 * The Pando node engine. Today it provides the ingest pipeline ({@link dev.pando.node.Ingest}): the
 * only way operations from outside enter a store; and the {@link dev.pando.node.ProviderRegistry},
 * the one place providers are found and selected by name.
 */
module dev.pando.node {
    requires transitive dev.pando.api;

    exports dev.pando.node;

    // ProviderRegistry finds every provider SPI's implementations
    uses dev.pando.spi.StoreProvider;
    uses dev.pando.spi.TransportProvider;
    uses dev.pando.spi.SyncProvider;
    uses dev.pando.spi.GossipProvider;
    uses dev.pando.spi.DiscoveryProvider;
}
