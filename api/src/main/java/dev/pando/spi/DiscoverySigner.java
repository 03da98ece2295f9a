package dev.pando.spi;

import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.Signature;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Signs messages with the node's key for a discovery service, without handing it the key. Every
 * signature covers {@link #DOMAIN} ‖ 0 ‖ message, so what a discovery gets signed can never pass as
 * an operation, a relay proof or anything else the key signs. Verify with {@link #verify}.
 * Thread-safe.
 */
@FunctionalInterface
public interface DiscoverySigner {
    /** The domain prefix of every discovery signature. */
    String DOMAIN = "pando/discovery/1";

    /** Signs {@link #DOMAIN} ‖ 0 ‖ {@code message} with the node's key. */
    Signature sign(byte[] message);

    /** A signer with {@code key} (the node's). */
    static DiscoverySigner of(PrivateKey key) {
        Objects.requireNonNull(key, "key");
        return message -> key.sign(domainSeparated(message));
    }

    /** Whether {@code signature} is {@code signer}'s signature of {@code message} in the discovery domain. */
    static boolean verify(PublicKey signer, byte[] message, Signature signature) {
        return signer.verify(domainSeparated(message), signature);
    }

    private static byte[] domainSeparated(byte[] message) {
        byte[] domain = DOMAIN.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[domain.length + 1 + message.length];
        System.arraycopy(domain, 0, out, 0, domain.length);
        System.arraycopy(message, 0, out, domain.length + 1, message.length);
        return out;
    }
}
