package dev.pando.gossip;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.node.ProviderRegistry;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;

/** Real QUIC transports on loopback for the contract runs over quic-netty. */
final class QuicNetty {
    private QuicNetty() {
    }

    static Transport transport(PrivateKey identity, NodeServices services) {
        return ProviderRegistry.load().createTransport("quic-netty", identity, NetworkId.DEFAULT,
                ProviderOptions.of("bind", "127.0.0.1:0"), services);
    }
}
