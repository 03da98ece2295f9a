package dev.pando.transport.quic;

import dev.pando.ConnectionClosedException;
import dev.pando.PandoException;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.transport.quic.core.ClientAuthExchange;
import dev.pando.transport.quic.core.CloseCode;
import dev.pando.transport.quic.core.QuicOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import tech.kwik.core.QuicClientConnection;

/**
 * Both sides of the {@link KwikTransport}'s identity proof (WIRE.md, "Identity proof") over a
 * blocking kwik stream: the client side for a link this node dialed, the server side on the first
 * stream of an accepted link; the exchange itself is {@link ClientAuthExchange} in
 * transport-quic-core.
 *
 * <p>Threads and locks: runs on workers, bounded by the handshake timeout; it takes no lock
 * itself (registering a proven link takes the transport's lock in {@link PeerTable#register}).
 */
final class IdentityProof {
    private final KwikTransport transport;
    private final PrivateKey identity;
    private final QuicOptions settings;
    private final TransportCounters counters;
    private final PeerTable table;

    IdentityProof(KwikTransport transport, PrivateKey identity, QuicOptions settings, TransportCounters counters, PeerTable table) {
        this.transport = transport;
        this.identity = identity;
        this.settings = settings;
        this.counters = counters;
        this.table = table;
    }

    /** The client side of the auth stream (WIRE.md, "Identity proof"), bounded by the handshake timeout. */
    void proveIdentity(PeerLink link, QuicClientConnection quic, byte[] serverCertDer, PublicKey server)
            throws IOException {
        KwikStream s = link.wrap(quic.createStream(true), settings.handshakeTimeout());
        try {
            ClientAuthExchange.Step last = runAuth(s, ClientAuthExchange.client(identity, serverCertDer, server));
            if (last instanceof ClientAuthExchange.Failed failed) {
                link.close(failed.closeCode(), failed.closeCode().words(), true);
                throw failed.error();
            }
        } catch (ConnectionClosedException e) {
            // the server closes the connection when it refuses us (shutting down, connection
            // limit): say so, with the close code it sent if kwik has reported it yet
            String cause = link.closeCause();
            throw new ConnectionClosedException("node " + server + " broke off the identity proof"
                    + (cause != null ? " (" + cause + ")" : ": " + e.getMessage()), e);
        } finally {
            s.close();
        }
    }

    /**
     * Drives an identity proof over a blocking kwik stream: sends what the exchange asks, reads
     * exactly the bytes it wants next (never more: nothing else travels on the auth stream), and
     * returns its last step ({@link ClientAuthExchange.Proven} or {@link ClientAuthExchange.Failed},
     * whose bytes it has sent).
     */
    static ClientAuthExchange.Step runAuth(KwikStream s, ClientAuthExchange exchange) {
        ClientAuthExchange.Step step = exchange.start();
        while (true) {
            if (step instanceof ClientAuthExchange.Send send) {
                if (send.bytes().length > 0) {
                    s.write(send.bytes());
                }
                if (send.endOfOutput()) {
                    // kwik 0.10.8 sends buffered bytes only on a later write or close: close now
                    s.closeOutput();
                }
                byte[] in = new byte[exchange.wanted()];
                s.readFully(in, 0, in.length);
                step = exchange.onBytes(ByteBuffer.wrap(in));
            } else {
                if (step instanceof ClientAuthExchange.Failed failed && failed.bytes().length > 0) {
                    s.write(failed.bytes());
                }
                return step;
            }
        }
    }

    /**
     * The server side of the auth stream; runs on a worker, bounded by the handshake timeout. The
     * link is marked authenticated before the status byte goes out: the client opens its next
     * stream as soon as it reads "accepted", and that stream must not meet an unauthenticated link.
     */
    void verifyClient(PeerLink link, KwikStream s) {
        try {
            ClientAuthExchange.Step last = runAuth(s, ClientAuthExchange.server(transport.tls()));
            if (last instanceof ClientAuthExchange.Failed failed) {
                if (failed.bytes().length > 0) {
                    s.close();
                } else {
                    s.abort();
                }
                link.protocolViolation(failed.error(), failed.closeCode());
                return;
            }
            link.authenticated(((ClientAuthExchange.Proven) last).remote());
            boolean admitted = table.register(link);
            if (!admitted) {
                // the proof was fine, but this node is shutting down: no status, the close says it
                counters.refusedConnections.increment();
                s.abort();
                link.close(CloseCode.LIMIT, "node shutting down", true);
                return;
            }
            s.write(ClientAuthExchange.acceptedStatus());
            s.close();
        } catch (ProtocolViolationException e) {
            s.abort();
            link.protocolViolation(e);
        } catch (PandoException e) {
            s.abort();
            counters.protocolViolations.increment();
            link.close(CloseCode.PROTOCOL_VIOLATION, "identity proof not completed", true);
        }
    }
}
