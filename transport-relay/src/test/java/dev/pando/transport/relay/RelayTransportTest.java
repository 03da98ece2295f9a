package dev.pando.transport.relay;

import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.testkit.TransportContract;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The testkit's functional transport contract, run against "relay" through a real relay server on loopback. */
class RelayTransportTest extends TransportContract {
    private static TestRelay relay;

    @BeforeAll
    static void startRelay() {
        relay = new TestRelay();
    }

    @AfterAll
    static void stopRelay() {
        relay.close();
    }

    @Override
    protected Transport createTransport(TransportContext context) {
        return new RelayTransportProvider().create(context.withOptions(context.options().with("relay_url", relay.url())));
    }

    /** A direct address only: the relay transport dials through its home relay. */
    @Override
    protected NodeAddress unsupportedAddress(NodeAddress real) {
        return new NodeAddress(real.nodeId(), List.of(new InetSocketAddress("127.0.0.1", 9)), Optional.empty());
    }

    /**
     * The relay routes by node id, so an address claiming another id reaches the real node only
     * through a relay that misroutes: this one delivers the claimed id's packets to the real node.
     */
    @Override
    protected NodeAddress withNodeId(NodeAddress real, PublicKey claimed) {
        relay.aliases.put(claimed, real.nodeId());
        return new NodeAddress(claimed, real.directAddresses(), real.relayUrl());
    }

    @Override
    protected boolean isTransportThread(Thread thread) {
        return super.isTransportThread(thread) && !thread.getName().startsWith("pando-relay-server");
    }
}
