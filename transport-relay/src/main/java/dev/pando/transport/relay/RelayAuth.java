package dev.pando.transport.relay;

import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.Signature;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * How a client proves its node id to a relay: it signs, with its node key, a fresh nonce the relay
 * chose for this connection, bound to this relay by the HTTP {@code Host} the client dialed (the
 * authority of the relay URL). A captured proof is worthless: the next connection gets another
 * nonce, and another relay another host. (iroh-relay 0.33 signed a proof a relay could replay.)
 * Without TLS, the binding stops replays and cross-relay reuse, not a man in the middle who
 * forwards the whole connection; with TLS ({@code https} relay URLs) the host is the one the
 * certificate was checked for.
 */
final class RelayAuth {
    private static final byte[] DOMAIN = "pando-relay-auth/1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private RelayAuth() {
    }

    static byte[] nonce() {
        byte[] n = new byte[RelayFrame.NONCE_LENGTH];
        RANDOM.nextBytes(n);
        return n;
    }

    /**
     * The bytes a client signs: domain ‖ 0 ‖ length of host (1 byte) ‖ host (lowercase ASCII) ‖
     * nonce ‖ node id.
     */
    static byte[] signedBytes(String host, byte[] nonce, PublicKey nodeId) {
        byte[] h = host.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        if (h.length > 255) {
            throw new IllegalArgumentException("relay host longer than 255 bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(DOMAIN.length + 2 + h.length + nonce.length + PublicKey.LENGTH);
        out.writeBytes(DOMAIN);
        out.write(0);
        out.write(h.length);
        out.writeBytes(h);
        out.writeBytes(nonce);
        out.writeBytes(nodeId.bytes());
        return out.toByteArray();
    }

    static Signature prove(PrivateKey key, String host, byte[] nonce) {
        return key.sign(signedBytes(host, nonce, key.publicKey()));
    }

    static boolean verify(RelayFrame.Auth auth, String host, byte[] nonce) {
        if (host.length() > 255) {
            return false;
        }
        return auth.nodeId().verify(signedBytes(host, nonce, auth.nodeId()), auth.signature());
    }
}
