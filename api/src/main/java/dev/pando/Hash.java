package dev.pando;

import org.bouncycastle.crypto.digests.Blake3Digest;

/** A BLAKE3 hash, 32 bytes. Ordered by its bytes (unsigned), printed as lowercase hex. */
public final class Hash extends ByteValue implements Comparable<Hash> {
    public static final int LENGTH = 32;

    private Hash(byte[] bytes) {
        super(bytes, LENGTH, "a hash");
    }

    /** BLAKE3 of the given bytes. */
    public static Hash of(byte[] data) {
        return of(data, 0, data.length);
    }

    /** BLAKE3 of a range of the given bytes. */
    public static Hash of(byte[] data, int offset, int length) {
        Blake3Digest digest = new Blake3Digest(LENGTH * 8);
        digest.update(data, offset, length);
        byte[] out = new byte[LENGTH];
        digest.doFinal(out, 0);
        return new Hash(out);
    }

    /** A hash from its 32 bytes (copied). */
    public static Hash fromBytes(byte[] bytes) {
        return new Hash(bytes.clone());
    }

    public static Hash fromHex(String hex) {
        return new Hash(parseHex(hex, "hash"));
    }

    static Hash wrap(byte[] bytes) {
        return new Hash(bytes);
    }

    @Override
    public int compareTo(Hash other) {
        return compareBytes(other);
    }
}
