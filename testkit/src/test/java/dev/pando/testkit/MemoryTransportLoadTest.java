package dev.pando.testkit;

import dev.pando.PublicKey;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.testkit.support.MemoryNetwork;
import java.util.OptionalInt;

/** The load contract on the in-memory transport (tag {@code load}: {@code mvn -Pload}). */
class MemoryTransportLoadTest extends TransportLoadContract {
    private final MemoryNetwork network = MemoryNetwork.create();

    @Override
    protected Transport createTransport(TransportContext context) {
        return network.transport(context);
    }

    @Override
    protected OptionalInt physicalConnections(Transport transport, PublicKey remote) {
        return OptionalInt.of(network.physicalConnections(transport.localAddress().nodeId(), remote));
    }
}
