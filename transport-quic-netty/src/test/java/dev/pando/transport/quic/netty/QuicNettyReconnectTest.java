package dev.pando.transport.quic.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.spi.Connection;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A node that comes back (a restart, or a dial after a close the server has not yet seen) while
 * the server still holds its old links: the new link replaces the oldest, it is not refused.
 */
class QuicNettyReconnectTest {
    private static final String ECHO = "pando/echo/1";
    private final List<Transport> transports = new ArrayList<>();

    @AfterEach
    void close() {
        transports.forEach(Transport::close);
    }

    private Transport node(PrivateKey key, Map<String, String> options) {
        Transport t = new QuicNettyTransportProvider().create(new TransportContext(key, NetworkId.DEFAULT, ProviderOptions.of(options)));
        t.accept(ECHO, c -> { });
        t.start();
        transports.add(t);
        return t;
    }

    @Test
    @Timeout(60)
    void aPeerAtItsLimitThatConnectsAgainReplacesItsOldestLink() throws Exception {
        Transport server = node(PrivateKey.generate(), Map.of("bind", "127.0.0.1:0", "max_connections_per_peer", "1"));
        PrivateKey key = PrivateKey.generate();
        Transport first = node(key, Map.of("bind", "127.0.0.1:0", "keep_alive", "0s"));
        Connection old = first.dial(server.localAddress(), ECHO).get(30, TimeUnit.SECONDS);

        // the same node id again, from a new process as it were: the server never saw the first go
        Transport again = node(key, Map.of("bind", "127.0.0.1:0"));
        Connection fresh = again.dial(server.localAddress(), ECHO).get(30, TimeUnit.SECONDS);
        assertThat(fresh.isOpen()).isTrue();
        assertThat(fresh.remoteNodeId()).isEqualTo(server.localAddress().nodeId());

        // the server closed the old link: its end learns it
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> !old.isOpen());
        assertThat(((QuicNettyTransport) server).counters()).containsEntry("replaced_connections", 1L);
        assertThat(fresh.isOpen()).isTrue();
    }
}
