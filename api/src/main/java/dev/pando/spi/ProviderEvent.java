package dev.pando.spi;

/**
 * Something a provider reports to the node through its {@link EventSink}. A closed family: each
 * SPI that reports events has its own sealed sub-family ({@link TransportEvent},
 * {@link DiscoveryEvent}, {@link RelayEvent}; sync reports through its session's result and progress listener, gossip
 * through its topic listeners), which the node turns into the events it publishes to apps.
 */
public sealed interface ProviderEvent permits TransportEvent, DiscoveryEvent, RelayEvent {
}
