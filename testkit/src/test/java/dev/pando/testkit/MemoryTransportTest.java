package dev.pando.testkit;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.spi.Transport;
import java.util.OptionalInt;

/** The in-memory transport passes the whole contract, with no known limitation. */
class MemoryTransportTest extends TransportContract {
    private final MemoryNetwork network = MemoryNetwork.create();

    @Override
    protected Transport createTransport(PrivateKey identity, NetworkId networkId) {
        return network.transport(identity, networkId);
    }

    @Override
    protected OptionalInt physicalConnections(Transport transport, PublicKey remote) {
        return OptionalInt.of(network.physicalConnections(((MemoryTransport) transport).id, remote));
    }
}
