package dev.pando.spi;

import java.util.Set;

/**
 * Makes {@link Gossip} services: per-topic overlays that broadcast small messages to every node
 * in the topic. Found with {@link java.util.ServiceLoader}; stateless and cheap. Two providers with
 * one {@link #name()} are a startup error; the node uses the configured one, or the only one found.
 */
public interface GossipProvider {
    /** The provider's unique name, lowercase (e.g. "plumtree"). */
    String name();

    /** Every option key this provider reads; the node rejects any other. */
    Set<String> optionKeys();

    /**
     * Makes the gossip service without I/O: no stream is opened and no thread started until
     * {@link Gossip#start()}.
     *
     * @throws dev.pando.ConfigurationException for invalid options
     */
    Gossip create(GossipContext context);
}
