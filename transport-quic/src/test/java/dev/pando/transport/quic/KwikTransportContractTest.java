package dev.pando.transport.quic;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.testkit.TransportContract;
import java.util.Map;
import java.util.OptionalInt;

/** The testkit's transport contract, run against the kwik transport on loopback. */
class KwikTransportContractTest extends TransportContract {

    @Override
    protected Transport createTransport(PrivateKey identity, NetworkId network) {
        return new KwikTransportProvider().create(
                new TransportContext(identity, network, ProviderOptions.of("bind", "127.0.0.1:0")));
    }

    @Override
    protected OptionalInt physicalConnections(Transport transport, PublicKey remote) {
        return OptionalInt.of(((KwikTransport) transport).linkCount(remote));
    }

    @Override
    protected Map<ContractCase, String> knownLimitations() {
        return Map.of();
    }
}
