package dev.pando.transport.quic.netty;

import dev.pando.PublicKey;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.testkit.TransportLoadContract;
import java.util.OptionalInt;

/** The testkit's load contract (tag {@code load}: {@code mvn -Pload}), run against "quic-netty" on loopback. */
class QuicNettyTransportLoadTest extends TransportLoadContract {

    @Override
    protected Transport createTransport(TransportContext context) {
        return new QuicNettyTransportProvider().create(context.withOptions(ProviderOptions.of("bind", "127.0.0.1:0")));
    }

    @Override
    protected OptionalInt physicalConnections(Transport transport, PublicKey remote) {
        return OptionalInt.of(((QuicNettyTransport) transport).linkCount(remote));
    }
}
