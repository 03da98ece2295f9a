package dev.pando.transport.quic;

import dev.pando.transport.quic.core.CloseCode;
import dev.pando.transport.quic.core.QuicOptions;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import tech.kwik.core.ConnectionListener;
import tech.kwik.core.ConnectionTerminatedEvent;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ApplicationProtocolConnectionFactory;

/**
 * kwik's server side of the {@link KwikTransport}: called after each handshake with our ALPN, it
 * admits the connection as a {@link PeerLink} (or refuses it at {@code max_connections} or while
 * closing), gives the client the handshake timeout to prove its id, and routes the streams the
 * client opens to the link.
 *
 * <p>Threads and locks: runs on kwik's server thread; admission takes the transport's lock
 * ({@link PeerTable#admit}); the auth timeout runs on the timer.
 */
final class Acceptor implements ApplicationProtocolConnectionFactory {
    private final KwikTransport transport;
    private final PeerTable table;
    private final QuicOptions settings;
    private final TransportCounters counters;
    private final Tasks tasks;

    Acceptor(KwikTransport transport, PeerTable table, QuicOptions settings, TransportCounters counters, Tasks tasks) {
        this.transport = transport;
        this.table = table;
        this.settings = settings;
        this.counters = counters;
        this.tasks = tasks;
    }

    @Override
    public ApplicationProtocolConnection createConnection(String protocol, QuicConnection quic) {
        PeerLink link = new PeerLink(transport, quic, false);
        boolean open = table.admit(link);
        if (!open) {
            counters.refusedConnections.increment();
            quic.close(CloseCode.LIMIT.code(), "too many connections");
            return new ApplicationProtocolConnection() {};
        }
        quic.setConnectionListener(listener(link));
        // a client that does not prove its id in time is dropped
        try {
            tasks.timer().schedule(() -> {
                if (link.remoteNodeId() == null && link.isOpen()) {
                    counters.protocolViolations.increment();
                    link.close(CloseCode.AUTH_TIMEOUT, "no identity proof", true);
                }
            }, settings.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            link.close(CloseCode.NORMAL, "shutting down", true);
        }
        return new ApplicationProtocolConnection() {
            @Override
            public void acceptPeerInitiatedStream(QuicStream stream) {
                link.incoming(stream);
            }
        };
    }

    @Override
    public int maxConcurrentPeerInitiatedBidirectionalStreams() {
        return settings.maxStreamsPerConnection();
    }

    @Override
    public int maxConcurrentPeerInitiatedUnidirectionalStreams() {
        return 0;
    }

    /** Reports kwik's end of a connection (either role) to its link. */
    static ConnectionListener listener(PeerLink link) {
        return new ConnectionListener() {
            @Override
            public void disconnected(ConnectionTerminatedEvent event) {
                link.terminated(event);
            }
        };
    }
}
