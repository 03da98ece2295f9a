package dev.pando.spi;

/**
 * Something a provider reports to the node through its {@link EventSink}. A closed family: each
 * SPI has its own sealed sub-family ({@link TransportEvent} today; sync, gossip and discovery
 * events join it with their SPIs), which the node turns into the events it publishes to apps.
 */
public sealed interface ProviderEvent permits TransportEvent {
}
