package dev.pando.transport.quic.netty;

import dev.pando.ConfigurationException;
import dev.pando.spi.ProviderOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.regex.Pattern;

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

    // literals only: InetAddress.getByName must not turn into a DNS lookup inside create()
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(%[\\w.-]+)?");

    static QuicNettyOptions parse(ProviderOptions o) {
        QuicNettyOptions q = new QuicNettyOptions(
                bindAddress(o.string("bind", "0.0.0.0:0")),
                positive(o, "handshake_timeout", o.duration("handshake_timeout", Duration.ofSeconds(10))),
                positive(o, "idle_timeout", o.duration("idle_timeout", Duration.ofSeconds(30))),
                notNegative(o, "keep_alive", o.duration("keep_alive", Duration.ofSeconds(10))),
                positive(o, "stream_timeout", o.duration("stream_timeout", Duration.ofSeconds(30))),
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

    private static Duration positive(ProviderOptions o, String key, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new ConfigurationException("option " + key + " must be positive, got " + o.string(key, ""));
        }
        return d;
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

    /** {@code host:port}, {@code [v6]:port}; the host must be a literal address (no DNS in create). */
    static InetSocketAddress bindAddress(String value) {
        String s = value.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new ConfigurationException("option bind must be host:port, got \"" + value + "\"");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigurationException("option bind has a bad port: \"" + value + "\"");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigurationException("option bind port must be 0..65535, got " + port);
        }
        if (!IPV4.matcher(host).matches() && !IPV6.matcher(host).matches()) {
            throw new ConfigurationException("option bind host must be an IP address literal, got \"" + host + "\"");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new ConfigurationException("option bind host is not an IP address: \"" + host + "\"", e);
        }
    }
}
