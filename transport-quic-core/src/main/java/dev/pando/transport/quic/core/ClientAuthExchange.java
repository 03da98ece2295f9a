package dev.pando.transport.quic.core;

import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.Signature;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * The client's proof of identity on the auth stream, the first bidirectional stream the dialing
 * side opens after the QUIC handshake (WIRE.md, "Identity proof"). The server's identity is
 * already proven by its certificate ({@link NodeCertificate}); this proves the client's:
 * <pre>
 *   client → server  "PAUTH", version 1, client node id (32)                    {@link #HELLO_LENGTH} bytes
 *   server → client  nonce (32 random bytes)
 *   client → server  Ed25519 signature (64) over "pando-client-auth:" || SHA-256(server certificate DER)
 *                    || nonce || server node id || client node id; then FIN (the client's last bytes)
 *   server → client  status: {@link #ACCEPTED} or {@link #REJECTED}; then FIN
 * </pre>
 * The signature is bound to the server's certificate and node id and to a fresh nonce, so a proof
 * cannot be replayed to another server, to another connection, or for another client id.
 *
 * <p>An exchange is a state machine that does no I/O: the transport feeds it the bytes it reads
 * ({@link #onBytes}) and carries out the {@link Step} it returns (send bytes, end its output,
 * admit or close the connection). kwik's blocking streams and Netty's handlers drive the same
 * code. It buffers at most one message; a byte beyond the current message is a protocol
 * violation, because in this exchange each side waits for the other before it speaks again.
 * It enforces no deadline: the transport bounds the exchange with its handshake timeout. One
 * exchange is used by one thread at a time (not thread-safe); the static methods are.
 */
public final class ClientAuthExchange {
    /** The magic at the start of the hello: ASCII {@code PAUTH}. */
    static final byte[] MAGIC = "PAUTH".getBytes(StandardCharsets.US_ASCII);
    /** The version of the exchange described here. */
    public static final int VERSION = 1;
    /** Length of the client's hello. */
    public static final int HELLO_LENGTH = MAGIC.length + 1 + PublicKey.LENGTH;
    /** Length of the server's nonce. */
    public static final int NONCE_LENGTH = 32;
    /** Length of the client's proof (an Ed25519 signature). */
    public static final int PROOF_LENGTH = Signature.LENGTH;
    /** Status byte: the proof verified. */
    public static final int ACCEPTED = 0;
    /** Status byte: the proof did not verify; the server closes the connection. */
    public static final int REJECTED = 1;

    private static final byte[] TRANSCRIPT_PREFIX = "pando-client-auth:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NOTHING = new byte[0];
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the transport does next. */
    public sealed interface Step permits Send, Proven, Failed {
    }

    /**
     * Send {@code bytes} (possibly none), then end this side of the stream (QUIC FIN) if
     * {@code endOfOutput}, and keep reading: the exchange wants {@link #wanted()} more bytes.
     */
    public record Send(byte[] bytes, boolean endOfOutput) implements Step {
        public Send {
            Objects.requireNonNull(bytes, "bytes");
        }

        /** Nothing to send; read more. */
        public boolean isEmpty() {
            return bytes.length == 0 && !endOfOutput;
        }
    }

    /**
     * The exchange is over and {@code remote} is proven. Client: the server accepted the proof
     * (and sends FIN after its status; read it to release the stream). Server: the proof
     * verified; the transport admits the connection and sends {@link #acceptedStatus()} and FIN,
     * or, if it cannot admit it (limits, shutting down), closes the connection instead.
     */
    public record Proven(PublicKey remote) implements Step {
        public Proven {
            Objects.requireNonNull(remote, "remote");
        }
    }

    /**
     * The exchange failed: send {@code bytes} if there are any (the server's {@link #REJECTED}
     * status), then close the connection with {@code closeCode}.
     */
    public record Failed(Failure failure, ProtocolViolationException error, CloseCode closeCode, byte[] bytes)
            implements Step {
        public Failed {
            Objects.requireNonNull(failure, "failure");
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(closeCode, "closeCode");
            Objects.requireNonNull(bytes, "bytes");
        }
    }

    /** Why an exchange failed, for the transport's counters. */
    public enum Failure {
        /** A hello with a wrong magic or version, or an unknown status byte. */
        MALFORMED,
        /** The proof did not verify (server), or the server rejected it (client). */
        REJECTED,
        /** Bytes beyond the current message. */
        EXCESS_BYTES
    }

    private enum State { CLIENT_NONCE, CLIENT_STATUS, SERVER_HELLO, SERVER_PROOF, DONE }

    // client: identity; server: null
    private final PrivateKey client;
    private final byte[] serverCertificateDer;
    private final PublicKey serverId;
    private final byte[] nonce;
    private State state;
    private byte[] message;
    private int filled;
    private PublicKey claimedClient;

    private ClientAuthExchange(PrivateKey client, byte[] serverCertificateDer, PublicKey serverId, byte[] nonce,
            State first) {
        this.client = client;
        this.serverCertificateDer = Objects.requireNonNull(serverCertificateDer, "serverCertificateDer").clone();
        this.serverId = Objects.requireNonNull(serverId, "serverId");
        this.nonce = nonce;
        expect(first);
    }

    /**
     * The dialing side, after it has verified the server's certificate.
     *
     * @param serverCertificateDer the certificate the server presented in TLS (already verified)
     * @param serverId             the node id that certificate proved
     */
    public static ClientAuthExchange client(PrivateKey identity, byte[] serverCertificateDer, PublicKey serverId) {
        return new ClientAuthExchange(Objects.requireNonNull(identity, "identity"), serverCertificateDer, serverId,
                null, State.CLIENT_NONCE);
    }

    /** The accepting side, with a fresh nonce. */
    public static ClientAuthExchange server(NodeCertificate certificate) {
        return server(certificate, newNonce());
    }

    /** The accepting side with a given nonce (tests). */
    static ClientAuthExchange server(NodeCertificate certificate, byte[] nonce) {
        if (nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("nonce must be " + NONCE_LENGTH + " bytes, got " + nonce.length);
        }
        return new ClientAuthExchange(null, certificate.der(), certificate.nodeId(), nonce.clone(), State.SERVER_HELLO);
    }

    /** What to do first: the client sends its hello; the server waits for it (an empty {@link Send}). */
    public Send start() {
        return client != null ? new Send(hello(client.publicKey()), false) : new Send(NOTHING, false);
    }

    /** Bytes still needed to complete the message the exchange waits for; 0 when it is over. */
    public int wanted() {
        return state == State.DONE ? 0 : message.length - filled;
    }

    /** Whether a {@link Proven} or {@link Failed} step has been returned. */
    public boolean isDone() {
        return state == State.DONE;
    }

    /**
     * Feeds bytes read from the auth stream; consumes all of {@code in} (any byte beyond the
     * current message fails the exchange).
     *
     * @throws IllegalStateException if the exchange is already over
     */
    public Step onBytes(ByteBuffer in) {
        if (state == State.DONE) {
            throw new IllegalStateException("the auth exchange is over");
        }
        int n = Math.min(in.remaining(), message.length - filled);
        in.get(message, filled, n);
        filled += n;
        if (filled < message.length) {
            return new Send(NOTHING, false);
        }
        if (in.hasRemaining()) {
            return fail(Failure.EXCESS_BYTES, CloseCode.PROTOCOL_VIOLATION, NOTHING, client != null
                    ? "node " + serverId.hex() + " sent more than the auth exchange"
                    : "client sent bytes after its " + (state == State.SERVER_HELLO ? "hello" : "proof"));
        }
        switch (state) {
            case CLIENT_NONCE: {
                byte[] proof = prove(client, serverCertificateDer, message, serverId);
                expect(State.CLIENT_STATUS);
                // the proof is the client's last word: end the output now, so a transport that
                // sends buffered bytes only on a later write or close (kwik 0.10.8) sends it now
                return new Send(proof, true);
            }
            case CLIENT_STATUS: {
                int status = message[0] & 0xFF;
                if (status == ACCEPTED) {
                    state = State.DONE;
                    return new Proven(serverId);
                }
                if (status == REJECTED) {
                    return fail(Failure.REJECTED, CloseCode.AUTH_FAILED, NOTHING,
                            "node " + serverId.hex() + " rejected our proof of identity");
                }
                return fail(Failure.MALFORMED, CloseCode.PROTOCOL_VIOLATION, NOTHING,
                        "unknown auth status " + status + " from node " + serverId.hex());
            }
            case SERVER_HELLO: {
                try {
                    claimedClient = parseHello(message);
                } catch (ProtocolViolationException e) {
                    state = State.DONE;
                    return new Failed(Failure.MALFORMED, e, CloseCode.AUTH_FAILED, NOTHING);
                }
                expect(State.SERVER_PROOF);
                return new Send(nonce.clone(), false);
            }
            case SERVER_PROOF: {
                if (!verifyProof(message, claimedClient, serverCertificateDer, nonce, serverId)) {
                    return fail(Failure.REJECTED, CloseCode.AUTH_FAILED, new byte[] {REJECTED},
                            "node " + claimedClient.hex() + " failed to prove its identity");
                }
                state = State.DONE;
                return new Proven(claimedClient);
            }
            default:
                throw new IllegalStateException(state.name());
        }
    }

    /** The server's status after it admitted a {@link Proven} client; send it, then FIN. */
    public static byte[] acceptedStatus() {
        return new byte[] {ACCEPTED};
    }

    private void expect(State next) {
        state = next;
        message = new byte[switch (next) {
            case CLIENT_NONCE -> NONCE_LENGTH;
            case CLIENT_STATUS -> 1;
            case SERVER_HELLO -> HELLO_LENGTH;
            case SERVER_PROOF -> PROOF_LENGTH;
            case DONE -> 0;
        }];
        filled = 0;
    }

    private Failed fail(Failure failure, CloseCode code, byte[] send, String message) {
        state = State.DONE;
        return new Failed(failure, new ProtocolViolationException(message), code, send);
    }

    // ------------------------------------------------------------------ the messages

    /** The client's hello for {@code clientId}. */
    public static byte[] hello(PublicKey clientId) {
        byte[] out = Arrays.copyOf(MAGIC, HELLO_LENGTH);
        out[MAGIC.length] = VERSION;
        System.arraycopy(clientId.bytes(), 0, out, MAGIC.length + 1, PublicKey.LENGTH);
        return out;
    }

    /**
     * The client id claimed by a hello (not yet proven).
     *
     * @throws ProtocolViolationException for a wrong length, magic or version
     */
    public static PublicKey parseHello(byte[] hello) {
        if (hello.length != HELLO_LENGTH) {
            throw new ProtocolViolationException("client hello must be " + HELLO_LENGTH + " bytes, got " + hello.length);
        }
        if (!Arrays.equals(hello, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new ProtocolViolationException("client hello lacks the PAUTH magic: not a Pando node");
        }
        int version = hello[MAGIC.length] & 0xFF;
        if (version != VERSION) {
            throw new ProtocolViolationException("client auth version " + version + " is not supported (want " + VERSION + ")");
        }
        return PublicKey.fromBytes(Arrays.copyOfRange(hello, MAGIC.length + 1, HELLO_LENGTH));
    }

    /** A fresh random nonce. */
    public static byte[] newNonce() {
        byte[] nonce = new byte[NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    /** The bytes the client signs. */
    static byte[] transcript(byte[] serverCertificateDer, byte[] nonce, PublicKey serverId, PublicKey clientId) {
        if (nonce.length != NONCE_LENGTH) {
            throw new IllegalArgumentException("nonce must be " + NONCE_LENGTH + " bytes, got " + nonce.length);
        }
        byte[] certHash = NodeCertificate.sha256(serverCertificateDer);
        byte[] t = new byte[TRANSCRIPT_PREFIX.length + certHash.length + NONCE_LENGTH + 2 * PublicKey.LENGTH];
        int p = 0;
        System.arraycopy(TRANSCRIPT_PREFIX, 0, t, p, TRANSCRIPT_PREFIX.length);
        p += TRANSCRIPT_PREFIX.length;
        System.arraycopy(certHash, 0, t, p, certHash.length);
        p += certHash.length;
        System.arraycopy(nonce, 0, t, p, NONCE_LENGTH);
        p += NONCE_LENGTH;
        System.arraycopy(serverId.bytes(), 0, t, p, PublicKey.LENGTH);
        p += PublicKey.LENGTH;
        System.arraycopy(clientId.bytes(), 0, t, p, PublicKey.LENGTH);
        return t;
    }

    /**
     * The client's proof: its signature over the transcript.
     *
     * @param serverCertificateDer the certificate the server presented in TLS (already verified)
     * @param serverId             the node id that certificate proved
     */
    public static byte[] prove(PrivateKey client, byte[] serverCertificateDer, byte[] nonce, PublicKey serverId) {
        return client.sign(transcript(serverCertificateDer, nonce, serverId, client.publicKey())).bytes();
    }

    /** Whether {@code proof} is {@code clientId}'s valid proof for this server certificate, nonce and server id. */
    public static boolean verifyProof(byte[] proof, PublicKey clientId, byte[] serverCertificateDer, byte[] nonce,
            PublicKey serverId) {
        if (proof.length != PROOF_LENGTH || nonce.length != NONCE_LENGTH) {
            return false;
        }
        return clientId.verify(transcript(serverCertificateDer, nonce, serverId, clientId), Signature.fromBytes(proof));
    }
}
