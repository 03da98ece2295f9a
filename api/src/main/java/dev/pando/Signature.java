package dev.pando;

/** An Ed25519 signature, 64 bytes (R then S). */
public final class Signature extends ByteValue implements Comparable<Signature> {
    public static final int LENGTH = 64;

    private Signature(byte[] bytes) {
        super(bytes, LENGTH, "a signature");
    }

    public static Signature fromBytes(byte[] bytes) {
        return new Signature(bytes.clone());
    }

    public static Signature fromHex(String hex) {
        return new Signature(parseHex(hex, "signature"));
    }

    static Signature wrap(byte[] bytes) {
        return new Signature(bytes);
    }

    @Override
    public int compareTo(Signature other) {
        return compareBytes(other);
    }
}
