package dev.pando.spi;

import dev.pando.ConnectionClosedException;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.Signature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;

/**
 * The client's proof of identity on the auth stream, the first bidirectional stream the dialing
 * side opens after the QUIC handshake (Pando QUIC wire scheme, step 3). The server's identity is
 * already proven by its certificate ({@link NodeCertificate}); this proves the client's:
 * <pre>
 *   client → server  "PAUTH", version 1, client node id (32)                    {@link #HELLO_LENGTH} bytes
 *   server → client  nonce (32 random bytes)
 *   client → server  Ed25519 signature (64) over "pando-client-auth:" || SHA-256(server certificate DER)
 *                    || nonce || server node id || client node id; then the client may end its side (FIN)
 *   server → client  status: {@link #ACCEPTED} or {@link #REJECTED}
 * </pre>
 * The signature is bound to the server's certificate and node id and to a fresh nonce, so a proof
 * cannot be replayed to another server, to another connection, or for another client id.
 *
 * <p>The message-level methods ({@link #hello}, {@link #parseHello}, {@link #prove},
 * {@link #verifyProof}) suit non-blocking transports; {@link #runClient} and {@link #runServer}
 * run the whole exchange over blocking streams. Neither enforces a deadline: the caller bounds
 * the exchange with its handshake timeout (by giving streams with read deadlines, or aborting the
 * stream when the timeout fires). All methods are stateless and thread-safe.
 */
public final class ClientAuthentication {
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
    private static final SecureRandom RANDOM = new SecureRandom();

    private ClientAuthentication() {
    }

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

    /**
     * Runs the client side over blocking streams.
     *
     * @throws ProtocolViolationException if the server rejects the proof or answers malformed
     * @throws ConnectionClosedException  if the stream ends or fails first
     */
    public static void runClient(InputStream in, OutputStream out, PrivateKey client, byte[] serverCertificateDer,
            PublicKey serverId) {
        Objects.requireNonNull(serverCertificateDer, "serverCertificateDer");
        send(out, hello(client.publicKey()));
        byte[] nonce = receive(in, NONCE_LENGTH, "server nonce");
        send(out, prove(client, serverCertificateDer, nonce, serverId));
        // the proof is the client's last word: half-close, so a transport that sends buffered
        // bytes only on a later write or close (kwik 0.10.8) sends the proof now
        try {
            out.close();
        } catch (IOException e) {
            throw new ConnectionClosedException("auth stream failed while closing after the proof", e);
        }
        int status = receive(in, 1, "auth status")[0] & 0xFF;
        if (status == REJECTED) {
            throw new ProtocolViolationException("node " + serverId.hex() + " rejected our proof of identity");
        }
        if (status != ACCEPTED) {
            throw new ProtocolViolationException("unknown auth status " + status + " from node " + serverId.hex());
        }
    }

    /**
     * Runs the server side over blocking streams and returns the proven client id. On a bad proof
     * it sends {@link #REJECTED} before throwing; the caller then closes the connection.
     *
     * @throws ProtocolViolationException for a malformed hello or a proof that does not verify
     * @throws ConnectionClosedException  if the stream ends or fails first
     */
    public static PublicKey runServer(InputStream in, OutputStream out, NodeCertificate server) {
        PublicKey clientId = parseHello(receive(in, HELLO_LENGTH, "client hello"));
        byte[] nonce = newNonce();
        send(out, nonce);
        byte[] proof = receive(in, PROOF_LENGTH, "client proof");
        if (!verifyProof(proof, clientId, server.der(), nonce, server.nodeId())) {
            send(out, new byte[] {REJECTED});
            throw new ProtocolViolationException("node " + clientId.hex() + " failed to prove its identity");
        }
        send(out, new byte[] {ACCEPTED});
        return clientId;
    }

    private static void send(OutputStream out, byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new ConnectionClosedException("auth stream failed while writing", e);
        }
    }

    private static byte[] receive(InputStream in, int length, String what) {
        byte[] b;
        try {
            b = in.readNBytes(length);
        } catch (IOException e) {
            throw new ConnectionClosedException("auth stream failed while reading the " + what, e);
        }
        if (b.length != length) {
            throw new ConnectionClosedException("auth stream ended after " + b.length + " of " + length + " bytes of the " + what);
        }
        return b;
    }
}
