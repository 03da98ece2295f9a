package dev.pando.testkit;

import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.testkit.support.MemoryLinkConditions;
import dev.pando.testkit.support.MemoryNetwork;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;

/**
 * The whole contract again on the system clock with latency and loss on every link, so the timed
 * waits for delayed packets (not only the perfect-link fast path) carry real traffic.
 */
class MemoryTransportOnSlowLinksTest extends TransportContract {
    private final MemoryNetwork network = MemoryNetwork.builder()
            .conditions(MemoryLinkConditions.PERFECT
                    .withLatency(Duration.ofNanos(100_000))
                    .withLoss(0.005)
                    .withRetransmissionDelay(Duration.ofMillis(2)))
            .build();

    @Override
    protected Transport createTransport(TransportContext context) {
        return network.transport(context);
    }

    @AfterEach
    void closeNetwork() {
        network.close();
    }
}
