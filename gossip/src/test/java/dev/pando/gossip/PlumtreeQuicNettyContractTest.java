package dev.pando.gossip;

import dev.pando.PrivateKey;
import dev.pando.spi.GossipProvider;
import dev.pando.spi.NodeServices;
import dev.pando.spi.Transport;
import dev.pando.testkit.GossipContract;
import java.util.Map;

/** The Gossip contract for "plumtree" over real QUIC connections on loopback ("quic-netty"). */
class PlumtreeQuicNettyContractTest extends GossipContract {

    @Override
    protected GossipProvider provider() {
        return new PlumtreeGossipProvider();
    }

    @Override
    protected String protocol() {
        return PlumtreeGossipProvider.PROTOCOL;
    }

    @Override
    protected Map<String, byte[]> hostileInputs() {
        return Map.of("an oversized frame", new byte[] {0x7f, -1, -1, -1, 0}, "no greeting", new byte[] {0, 0, 0, 1, 12});
    }

    @Override
    protected Transport createTransport(PrivateKey identity, NodeServices services) {
        return QuicNetty.transport(identity, services);
    }

    /**
     * Measured 2026-12-06: over quic-netty, a member that leaves and at once rejoins through the
     * same contact left the three-node overlay unconnected (not symmetric) for over a minute in 1
     * of 2 full builds run at once on 2 cores (load ~5); it passed in the other and in 3 helper
     * runs. The case runs over MemoryNetwork for plumtree (PlumtreeGossipContractTest); the rejoin
     * over QUIC is an open defect (gossip README).
     */
    @Override
    protected Map<GossipCase, String> knownLimitations() {
        return Map.of(GossipCase.A_LEFT_TOPIC_HEARS_NOTHING_AND_CAN_BE_JOINED_AGAIN,
                "leave then immediate rejoin over quic-netty left the 3-node overlay unconnected for over 1 min "
                        + "in 1 of 2 loaded full builds (load ~5, 2 cores)");
    }

    @Override
    protected void cutOff(Member member) {
        // closing a QUIC transport tells its peers at once; that is the connection loss here
        member.transport().close();
    }
}
