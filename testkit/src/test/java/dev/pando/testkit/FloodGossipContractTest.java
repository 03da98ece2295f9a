package dev.pando.testkit;

import dev.pando.spi.GossipProvider;
import dev.pando.testkit.support.FloodGossipProvider;
import java.util.Map;

/** The Gossip contract against the reference provider "flood". */
class FloodGossipContractTest extends GossipContract {

    @Override
    protected GossipProvider provider() {
        return new FloodGossipProvider();
    }

    @Override
    protected String protocol() {
        return FloodGossipProvider.PROTOCOL;
    }

    @Override
    protected Map<String, byte[]> hostileInputs() {
        return Map.of(
                // HELLO, then a frame of an unknown type
                "an unknown frame type", new byte[] {0, 0, 0, 2, 0, 1, 0, 0, 0, 1, 99},
                // a frame announced at 2 GiB - 1
                "an oversized frame", new byte[] {0x7f, -1, -1, -1, 0},
                // not HELLO first
                "no greeting", new byte[] {0, 0, 0, 1, 3});
    }
}
