package dev.pando.transport.quic;

import dev.pando.ConfigurationException;
import dev.pando.spi.ProviderOptions;
import java.net.InetSocketAddress;
import java.time.Duration;

/** The provider's options, parsed and checked once at {@code create}; see the README for each. */
record TransportSettings(
        InetSocketAddress bind,
        Duration handshakeTimeout,
        Duration idleTimeout,
        Duration keepAlive,
        Duration streamTimeout,
        int maxStreamsPerConnection,
        int maxConnectionsPerPeer,
        int maxConnections,
        int acceptQueue,
        long streamWindow,
        long connectionWindow) {

    static TransportSettings from(ProviderOptions o) {
        TransportSettings s = new TransportSettings(
                o.socketAddress("bind", "0.0.0.0:0"),
                o.positiveDuration("handshake_timeout", Duration.ofSeconds(10)),
                o.positiveDuration("idle_timeout", Duration.ofSeconds(30)),
                o.duration("keep_alive", Duration.ofSeconds(10)),
                o.positiveDuration("stream_timeout", Duration.ofSeconds(30)),
                atLeast(o, "max_streams_per_connection", 1),
                atLeast(o, "max_connections_per_peer", 1),
                atLeast(o, "max_connections", 1),
                atLeast(o, "accept_queue", 1),
                o.longValue("stream_window", 1L << 20),
                o.longValue("connection_window", 4L << 20));
        if (s.keepAlive.isNegative()) {
            throw new ConfigurationException("option keep_alive must not be negative, got " + s.keepAlive);
        }
        if (s.idleTimeout.toMillis() < 2_000 || s.idleTimeout.toSeconds() > Integer.MAX_VALUE / 1000) {
            // kwik pings at half the idle timeout in whole seconds: below 2 s it would never ping
            throw new ConfigurationException("option idle_timeout must be between 2s and 24 days, got " + s.idleTimeout);
        }
        if (s.streamWindow < 1024 || s.connectionWindow < s.streamWindow) {
            throw new ConfigurationException("options stream_window (>= 1024) and connection_window (>= stream_window) are inconsistent: "
                    + s.streamWindow + ", " + s.connectionWindow);
        }
        return s;
    }

    private static int atLeast(ProviderOptions o, String key, int min) {
        int defaultValue = switch (key) {
            case "max_streams_per_connection" -> 100;
            case "max_connections_per_peer" -> 2;
            case "max_connections" -> 256;
            default -> 64;
        };
        int v = o.integer(key, defaultValue);
        if (v < min) {
            throw new ConfigurationException("option " + key + " must be at least " + min + ", got " + v);
        }
        return v;
    }
}
