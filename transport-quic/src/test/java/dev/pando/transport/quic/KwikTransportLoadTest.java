package dev.pando.transport.quic;

import dev.pando.PublicKey;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.testkit.TransportLoadContract;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Tag;

/**
 * The testkit's load contract (tag {@code load}), run against the kwik transport on loopback;
 * also tagged {@code kwik-stalls}, so it runs only with {@code -Pkwik,load}.
 */
@Tag("kwik-stalls") // kwik 0.10.8 stalls at random (README, "Limits of kwik")
class KwikTransportLoadTest extends TransportLoadContract {

    @Override
    protected Transport createTransport(TransportContext context) {
        return new KwikTransportProvider().create(context.withOptions(ProviderOptions.of("bind", "127.0.0.1:0")));
    }

    @Override
    protected OptionalInt physicalConnections(Transport transport, PublicKey remote) {
        return OptionalInt.of(((KwikTransport) transport).linkCount(remote));
    }

    /**
     * kwik 0.10.8's stall (see the README, "Limits of kwik"), counted over 6 (CONCURRENT_STREAMS: 7)
     * runs of these same cases when they were part of the single transport contract, on this
     * machine (loopback, 2 shared cores, JDK 17); every failure was a stream that stopped moving
     * until its 30 s deadline.
     */
    @Override
    protected Map<LoadCase, String> knownLimitations() {
        return Map.of(
                LoadCase.REQUEST_RESPONSE,
                "kwik 0.10.8 stalls on one long request/response stream: the contract case stalled in 6 of 6 runs here, "
                        + "the raw kwik probe in 5 of 5 runs of 10,000 x 1 KiB (lost send wake-up after false loss on loopback)",
                LoadCase.BULK_TRANSFER,
                "kwik 0.10.8 stall: the 64 MiB transfer stopped moving in 1 of 6 runs here",
                LoadCase.BACK_PRESSURE,
                "kwik 0.10.8 stall: the 32 MiB writer/lagging reader case (as it was then) stopped moving in 2 of 6 runs here",
                LoadCase.CONCURRENT_STREAMS,
                "kwik 0.10.8 stall: one of 50 concurrent 4 KiB echo streams stopped moving in 1 of 7 runs here",
                LoadCase.CLOSE_WHILE_BUSY,
                "kwik 0.10.8 stall: one of the four 8 KiB echo streams never got its first answer in 2 of 6 runs here "
                        + "(the close and thread checks passed in the other 4)");
    }
}
