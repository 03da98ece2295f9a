package dev.pando.transport.quic;

import dev.pando.PublicKey;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.testkit.TransportContract;
import java.util.OptionalInt;
import org.junit.jupiter.api.Tag;

/** The testkit's functional transport contract, run against the kwik transport on loopback. */
@Tag("kwik-stalls") // kwik 0.10.8 stalls at random: run with -Pkwik (README, "Limits of kwik")
class KwikTransportContractTest extends TransportContract {

    @Override
    protected Transport createTransport(TransportContext context) {
        return new KwikTransportProvider().create(context.withOptions(ProviderOptions.of("bind", "127.0.0.1:0")));
    }

    @Override
    protected OptionalInt physicalConnections(Transport transport, PublicKey remote) {
        return OptionalInt.of(((KwikTransport) transport).linkCount(remote));
    }
}
