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

    @Override
    protected void cutOff(Member member) {
        // closing a QUIC transport tells its peers at once; that is the connection loss here
        member.transport().close();
    }
}
