package dev.pando.gossip;

import dev.pando.spi.Gossip;
import dev.pando.spi.GossipContext;
import dev.pando.spi.GossipProvider;
import java.util.Set;

/**
 * {@link GossipProvider} "plumtree": HyParView membership and PlumTree broadcast per topic, over
 * the node's transport under the protocol {@value #PROTOCOL}. Stateless; {@link #create} reads
 * and checks the options (see the module README) and does no I/O.
 */
public final class PlumtreeGossipProvider implements GossipProvider {
    /** The protocol name this provider dials and accepts. */
    public static final String PROTOCOL = "pando/gossip/1";

    /** Creates the provider (ServiceLoader calls this). */
    public PlumtreeGossipProvider() {
    }

    @Override
    public String name() {
        return "plumtree";
    }

    @Override
    public Set<String> optionKeys() {
        return PlumtreeOptions.KEYS;
    }

    @Override
    public Gossip create(GossipContext context) {
        return new PlumtreeGossip(context, PlumtreeOptions.from(context.options()));
    }
}
