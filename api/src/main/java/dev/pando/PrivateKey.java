package dev.pando;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 private key (the 32-byte seed) with its public key. {@link #toString()} never
 * reveals the seed; export it deliberately with {@link #toHex()}.
 */
public final class PrivateKey {
    public static final int LENGTH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] seed;
    private final PublicKey publicKey;

    private PrivateKey(byte[] seed) {
        if (seed.length != LENGTH) {
            throw new IllegalArgumentException("a private key must be " + LENGTH + " bytes, got " + seed.length);
        }
        this.seed = seed;
        byte[] pk = new byte[PublicKey.LENGTH];
        Ed25519.generatePublicKey(seed, 0, pk, 0);
        this.publicKey = PublicKey.wrap(pk);
    }

    /** A fresh key from a {@link SecureRandom}. */
    public static PrivateKey generate() {
        byte[] seed = new byte[LENGTH];
        RANDOM.nextBytes(seed);
        return new PrivateKey(seed);
    }

    public static PrivateKey fromBytes(byte[] seed) {
        return new PrivateKey(seed.clone());
    }

    public static PrivateKey fromHex(String hex) {
        try {
            return new PrivateKey(HexFormat.of().parseHex(hex));
        } catch (IllegalArgumentException e) {
            // never echo the input: it may be most of a secret
            throw new IllegalArgumentException("private key is not 64 hex characters", e);
        }
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public Signature sign(byte[] message) {
        return Signature.wrap(sign(message, 0, message.length));
    }

    byte[] sign(byte[] message, int offset, int length) {
        byte[] sig = new byte[Signature.LENGTH];
        Ed25519.sign(seed, 0, publicKey.bytes, 0, message, offset, length, sig, 0);
        return sig;
    }

    /** The seed as lowercase hex: the secret itself. */
    public String toHex() {
        return HexFormat.of().formatHex(seed);
    }

    /** A copy of the 32-byte seed: the secret itself. */
    public byte[] toBytes() {
        return seed.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrivateKey k && MessageDigest.isEqual(seed, k.seed);
    }

    @Override
    public int hashCode() {
        return publicKey.hashCode();
    }

    @Override
    public String toString() {
        return "PrivateKey[public " + publicKey.hex() + ", secret redacted]";
    }
}
