package dev.pando.transport.quic.core;

import dev.pando.ConfigurationException;
import dev.pando.spi.ProviderOptions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;

/**
 * The options of a Pando QUIC transport, the same keys, defaults and ranges for every QUIC
 * provider (the table in this module's README), parsed and checked once in the provider's
 * {@code create}. Every problem is a {@link ConfigurationException} naming the key; a key that is
 * not one of {@link #KEYS} is refused with the list of known keys (a misspelt option must not be
 * ignored silently).
 *
 * @param bind                    UDP address to listen on (IP literal and port; no host names)
 * @param handshakeTimeout        QUIC handshake, certificate check and identity proof, each side
 * @param idleTimeout             QUIC max idle timeout, 2 s to 24 days
 * @param keepAlive               keep-alive period; zero turns it off; otherwise shorter than {@code idleTimeout}
 * @param streamTimeout           default deadline of stream reads, writes, stream opening and control exchanges
 * @param maxStreamsPerConnection concurrent bidirectional streams the peer may open (QUIC stream limit)
 * @param maxConnectionsPerPeer   authenticated connections to one remote node
 * @param maxConnections          connections in total
 * @param acceptQueue             incoming streams waiting in one {@code Connection}'s accept queue
 * @param streamWindow            per-stream receive window, bytes
 * @param connectionWindow        per-connection receive window, bytes, at least {@code streamWindow}
 * @param ioThreads               I/O threads, for providers whose library takes a number (Netty);
 *                                kwik runs its own threads per connection and ignores it
 */
public record QuicOptions(
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
        long connectionWindow,
        int ioThreads) {

    /** Every key a QUIC provider understands, in the README's order. */
    public static final List<String> KEYS = List.of("bind", "handshake_timeout", "idle_timeout", "keep_alive",
            "stream_timeout", "max_streams_per_connection", "max_connections_per_peer", "max_connections",
            "accept_queue", "stream_window", "connection_window", "io_threads");

    // kwik pings at half the negotiated idle timeout in whole seconds: below 2 s it would never
    // ping; kwik takes the idle timeout as an int of milliseconds in its server configuration
    private static final Duration MIN_IDLE = Duration.ofSeconds(2);
    private static final Duration MAX_IDLE = Duration.ofMillis(Integer.MAX_VALUE);

    /**
     * Parses and checks {@code options}.
     *
     * @throws ConfigurationException naming the offending key
     */
    public static QuicOptions parse(ProviderOptions o) {
        for (String key : o.asMap().keySet()) {
            if (!KEYS.contains(key)) {
                throw new ConfigurationException("unknown QUIC transport option " + key + "; the known options are "
                        + String.join(", ", new TreeSet<>(KEYS)));
            }
        }
        QuicOptions q = new QuicOptions(
                o.socketAddress("bind", "0.0.0.0:0"),
                o.positiveDuration("handshake_timeout", Duration.ofSeconds(10)),
                o.positiveDuration("idle_timeout", Duration.ofSeconds(30)),
                o.duration("keep_alive", Duration.ofSeconds(10)),
                o.positiveDuration("stream_timeout", Duration.ofSeconds(30)),
                range("max_streams_per_connection", o.integer("max_streams_per_connection", 100), 1, 1_000_000),
                range("max_connections_per_peer", o.integer("max_connections_per_peer", 2), 1, 64),
                range("max_connections", o.integer("max_connections", 256), 1, 1_000_000),
                range("accept_queue", o.integer("accept_queue", 64), 1, 1_000_000),
                range("stream_window", o.longValue("stream_window", 1L << 20), 1024, 1L << 30),
                range("connection_window", o.longValue("connection_window", 16L << 20), 1024, 1L << 32),
                (int) range("io_threads", o.integer("io_threads", 1), 1, 64));
        if (q.keepAlive.isNegative()) {
            throw new ConfigurationException("option keep_alive must not be negative, got " + o.string("keep_alive", ""));
        }
        if (q.idleTimeout.compareTo(MIN_IDLE) < 0 || q.idleTimeout.compareTo(MAX_IDLE) > 0) {
            throw new ConfigurationException("option idle_timeout must be between 2s and 24 days, got " + q.idleTimeout);
        }
        if (!q.keepAlive.isZero() && q.keepAlive.compareTo(q.idleTimeout) >= 0) {
            throw new ConfigurationException("option keep_alive (" + q.keepAlive + ") must be shorter than idle_timeout ("
                    + q.idleTimeout + "), or 0 to turn keep-alive off");
        }
        if (q.connectionWindow < q.streamWindow) {
            throw new ConfigurationException("option connection_window (" + q.connectionWindow
                    + ") must be at least stream_window (" + q.streamWindow + ")");
        }
        return q;
    }

    /** The defaults. */
    public static QuicOptions defaults() {
        return parse(ProviderOptions.empty());
    }

    private static int range(String key, int value, int min, int max) {
        return (int) range(key, (long) value, min, max);
    }

    private static long range(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigurationException("option " + key + " must be in " + min + ".." + max + ", got " + value);
        }
        return value;
    }
}
