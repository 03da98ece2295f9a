package dev.pando.transport.quic.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.ConfigurationException;
import dev.pando.spi.ProviderOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class QuicOptionsTest {

    @Test
    void defaults() {
        QuicOptions d = QuicOptions.defaults();
        assertThat(d.bind().getPort()).isZero();
        assertThat(d.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.keepAlive()).isEqualTo(Duration.ofSeconds(10));
        assertThat(d.streamTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.maxStreamsPerConnection()).isEqualTo(100);
        assertThat(d.maxConnectionsPerPeer()).isEqualTo(2);
        assertThat(d.maxConnections()).isEqualTo(256);
        assertThat(d.acceptQueue()).isEqualTo(64);
        assertThat(d.streamWindow()).isEqualTo(1L << 20);
        assertThat(d.connectionWindow()).isEqualTo(16L << 20);
        assertThat(d.ioThreads()).isEqualTo(1);
    }

    @Test
    void everyKeyParses() {
        QuicOptions q = QuicOptions.parse(ProviderOptions.of("bind", "[::1]:4433", "handshake_timeout", "2s",
                "idle_timeout", "2s", "keep_alive", "0s", "stream_timeout", "500ms", "max_streams_per_connection", "7",
                "max_connections_per_peer", "64", "max_connections", "1", "accept_queue", "3", "stream_window", "1024",
                "connection_window", "1024", "io_threads", "4"));
        assertThat(q.bind().getPort()).isEqualTo(4433);
        assertThat(q.keepAlive()).isZero();
        assertThat(q.streamTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(q.maxConnectionsPerPeer()).isEqualTo(64);
        assertThat(q.connectionWindow()).isEqualTo(1024);
        assertThat(q.ioThreads()).isEqualTo(4);
        assertThat(QuicOptions.KEYS).hasSize(12);
    }

    @Test
    void badValuesNameTheirKey() {
        String[][] bad = {
            {"bind", "localhost:0"}, {"bind", "127.0.0.1"}, {"bind", "127.0.0.1:70000"},
            {"handshake_timeout", "soon"}, {"handshake_timeout", "0s"}, {"idle_timeout", "0s"},
            {"idle_timeout", "1999ms"}, {"idle_timeout", "P25D"}, {"keep_alive", "-1s"}, {"keep_alive", "30s"},
            {"stream_timeout", "0s"}, {"max_streams_per_connection", "0"}, {"max_connections_per_peer", "65"},
            {"max_connections", "x"}, {"accept_queue", "-1"}, {"stream_window", "1023"},
            {"connection_window", "1024"}, {"io_threads", "0"}, {"io_threads", "65"}};
        for (String[] b : bad) {
            assertThatThrownBy(() -> QuicOptions.parse(ProviderOptions.of(b[0], b[1])))
                    .as("%s=%s", b[0], b[1]).isInstanceOf(ConfigurationException.class).hasMessageContaining(b[0]);
        }
    }

    @Test
    void unknownKeysAreRefusedWithTheKnownOnes() {
        assertThatThrownBy(() -> QuicOptions.parse(ProviderOptions.of("bind", "127.0.0.1:0", "keepalive", "5s")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("keepalive")
                .hasMessageContaining("keep_alive")
                .hasMessageContaining("stream_window");
    }
}
