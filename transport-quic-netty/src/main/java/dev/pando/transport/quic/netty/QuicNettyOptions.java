package dev.pando.transport.quic.netty;

import dev.pando.ConfigurationException;
import dev.pando.spi.ProviderOptions;
import java.net.InetSocketAddress;
import java.time.Duration;

/** The provider's options, parsed and range-checked once in {@code create}. */
record QuicNettyOptions(
        InetSocketAddress bind,
        Duration handshakeTimeout,
        Duration idleTimeout,
        Duration keepAlive,
        Duration streamTimeout,
        int maxStreamsPerConnection,
        int maxConnectionsPerPeer,
        int maxConnections,
        int acceptQueue,
        int ioThreads) {


    static QuicNettyOptions parse(ProviderOptions o) {
        QuicNettyOptions q = new QuicNettyOptions(
                o.socketAddress("bind", "0.0.0.0:0"),
                o.positiveDuration("handshake_timeout", Duration.ofSeconds(10)),
                o.positiveDuration("idle_timeout", Duration.ofSeconds(30)),
                notNegative(o, "keep_alive", o.duration("keep_alive", Duration.ofSeconds(10))),
                o.positiveDuration("stream_timeout", Duration.ofSeconds(30)),
                range("max_streams_per_connection", o.integer("max_streams_per_connection", 100), 1, 1_000_000),
                range("max_connections_per_peer", o.integer("max_connections_per_peer", 2), 1, 64),
                range("max_connections", o.integer("max_connections", 256), 1, 1_000_000),
                range("accept_queue", o.integer("accept_queue", 64), 1, 1_000_000),
                range("io_threads", o.integer("io_threads", 1), 1, 64));
        if (!q.keepAlive.isZero() && q.keepAlive.compareTo(q.idleTimeout) >= 0) {
            throw new ConfigurationException("option keep_alive (" + q.keepAlive + ") must be shorter than idle_timeout ("
                    + q.idleTimeout + "), or 0 to turn keep-alive off");
        }
        return q;
    }

    private static Duration notNegative(ProviderOptions o, String key, Duration d) {
        if (d.isNegative()) {
            throw new ConfigurationException("option " + key + " must not be negative, got " + o.string(key, ""));
        }
        return d;
    }

    private static int range(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ConfigurationException("option " + key + " must be in " + min + ".." + max + ", got " + value);
        }
        return value;
    }
}
