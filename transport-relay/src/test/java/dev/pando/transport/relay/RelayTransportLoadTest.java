package dev.pando.transport.relay;

import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.testkit.TransportLoadContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The testkit's load contract (tag {@code load}: {@code mvn -Pload}), run against "relay" through a relay on loopback. */
class RelayTransportLoadTest extends TransportLoadContract {
    private static TestRelay relay;

    @BeforeAll
    static void startRelay() {
        // the production bounds, but a rate that a 64 MiB upload on loopback does not hit
        relay = new TestRelay(RelayServerConfig.defaults().withRate(1L << 30, 1L << 30).withQueueBytes(4 << 20));
    }

    @AfterAll
    static void stopRelay() {
        relay.close();
    }

    @Override
    protected Transport createTransport(TransportContext context) {
        return new RelayTransportProvider().create(context.withOptions(context.options().with("relay_url", relay.url())));
    }

    @Override
    protected boolean isTransportThread(Thread thread) {
        return super.isTransportThread(thread) && !thread.getName().startsWith("pando-relay-server");
    }
}
