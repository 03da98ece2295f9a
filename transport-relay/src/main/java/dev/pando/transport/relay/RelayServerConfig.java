package dev.pando.transport.relay;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link RelayServer} runs. Every bound has a default ({@link #defaults()}); {@code with…}
 * methods return a changed copy.
 *
 * @param bind              the TCP address to listen on (port 0: a free port)
 * @param tls               the PEM certificate chain and PKCS#8 private key to serve TLS with, if any
 * @param metrics           whether {@code GET /metrics} answers (Prometheus text); {@code /health} always does
 * @param maxClients        open TCP connections at most (authenticated or not); more are closed at once
 * @param maxFrameBytes     the largest WebSocket message accepted; a larger one closes its connection
 *                          (at least {@link RelayFrame#MIN_MAX_MESSAGE}: a relay transport's packet)
 * @param queueBytes        bytes waiting to be written to one client at most; a packet that would
 *                          exceed it is dropped (the slow receiver loses its own packets)
 * @param rateBytesPerSecond payload bytes per second one client may send (token bucket)
 * @param burstBytes        the token bucket's size
 * @param keepAlive         a WebSocket ping goes out after this long without writing; a connection
 *                          that sends nothing for three times this long is closed
 * @param authTimeout       a client that has not proven its node id this long after connecting is closed
 * @param ioThreads         Netty event loop threads for client connections
 */
public record RelayServerConfig(InetSocketAddress bind, Optional<Tls> tls, boolean metrics, int maxClients, int maxFrameBytes,
        int queueBytes, long rateBytesPerSecond, long burstBytes, Duration keepAlive, Duration authTimeout, int ioThreads) {

    /** A certificate chain file and its private key file (PEM). */
    public record Tls(Path certificateChain, Path privateKey) {
        public Tls {
            Objects.requireNonNull(certificateChain, "certificateChain");
            Objects.requireNonNull(privateKey, "privateKey");
        }
    }

    public RelayServerConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(keepAlive, "keepAlive");
        Objects.requireNonNull(authTimeout, "authTimeout");
        positive("maxClients", maxClients);
        if (maxFrameBytes < RelayFrame.MIN_MAX_MESSAGE || maxFrameBytes > 1 << 20) {
            // below the minimum, the relay transport's QUIC packets would close their connections
            throw new IllegalArgumentException("maxFrameBytes must be in " + RelayFrame.MIN_MAX_MESSAGE + "..1048576, got " + maxFrameBytes);
        }
        positive("queueBytes", queueBytes);
        positive("rateBytesPerSecond", rateBytesPerSecond);
        positive("burstBytes", burstBytes);
        positive("ioThreads", ioThreads);
        if (keepAlive.isNegative() || keepAlive.isZero() || authTimeout.isNegative() || authTimeout.isZero()) {
            throw new IllegalArgumentException("keepAlive and authTimeout must be positive");
        }
    }

    /**
     * Loopback, a free port, no TLS, no metrics; 10,000 clients; 4 KiB messages; 256 KiB queued per
     * client; 64 MiB/s per client with an 8 MiB burst; ping after 15 s; 10 s to authenticate; one I/O
     * thread (a packet between clients on different threads costs a thread handoff: relayed round
     * trips were 14 % slower with two; carrying a 69 MB/s bulk transfer kept one thread at most
     * 26 % busy).
     */
    public static RelayServerConfig defaults() {
        return new RelayServerConfig(new InetSocketAddress("127.0.0.1", 0), Optional.empty(), false, 10_000, 4096,
                256 * 1024, 64L << 20, 8L << 20, Duration.ofSeconds(15), Duration.ofSeconds(10), 1);
    }

    public RelayServerConfig withBind(InetSocketAddress bind) {
        return new RelayServerConfig(bind, tls, metrics, maxClients, maxFrameBytes, queueBytes, rateBytesPerSecond, burstBytes, keepAlive, authTimeout, ioThreads);
    }

    public RelayServerConfig withTls(Tls tls) {
        return new RelayServerConfig(bind, Optional.of(tls), metrics, maxClients, maxFrameBytes, queueBytes, rateBytesPerSecond, burstBytes, keepAlive, authTimeout, ioThreads);
    }

    public RelayServerConfig withMetrics(boolean metrics) {
        return new RelayServerConfig(bind, tls, metrics, maxClients, maxFrameBytes, queueBytes, rateBytesPerSecond, burstBytes, keepAlive, authTimeout, ioThreads);
    }

    public RelayServerConfig withMaxClients(int maxClients) {
        return new RelayServerConfig(bind, tls, metrics, maxClients, maxFrameBytes, queueBytes, rateBytesPerSecond, burstBytes, keepAlive, authTimeout, ioThreads);
    }

    public RelayServerConfig withQueueBytes(int queueBytes) {
        return new RelayServerConfig(bind, tls, metrics, maxClients, maxFrameBytes, queueBytes, rateBytesPerSecond, burstBytes, keepAlive, authTimeout, ioThreads);
    }

    public RelayServerConfig withRate(long rateBytesPerSecond, long burstBytes) {
        return new RelayServerConfig(bind, tls, metrics, maxClients, maxFrameBytes, queueBytes, rateBytesPerSecond, burstBytes, keepAlive, authTimeout, ioThreads);
    }

    public RelayServerConfig withKeepAlive(Duration keepAlive) {
        return new RelayServerConfig(bind, tls, metrics, maxClients, maxFrameBytes, queueBytes, rateBytesPerSecond, burstBytes, keepAlive, authTimeout, ioThreads);
    }

    public RelayServerConfig withAuthTimeout(Duration authTimeout) {
        return new RelayServerConfig(bind, tls, metrics, maxClients, maxFrameBytes, queueBytes, rateBytesPerSecond, burstBytes, keepAlive, authTimeout, ioThreads);
    }

    public RelayServerConfig withIoThreads(int ioThreads) {
        return new RelayServerConfig(bind, tls, metrics, maxClients, maxFrameBytes, queueBytes, rateBytesPerSecond, burstBytes, keepAlive, authTimeout, ioThreads);
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
