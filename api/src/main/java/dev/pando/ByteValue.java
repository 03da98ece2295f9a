package dev.pando;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * Shared behaviour of Pando's immutable byte-string values: defensive copies, equality within the
 * same type, unsigned lexicographic ordering, and lowercase hex.
 */
abstract class ByteValue {
    static final HexFormat HEX = HexFormat.of();

    final byte[] bytes;

    ByteValue(byte[] bytes, int expectedLength, String what) {
        if (expectedLength >= 0 && bytes.length != expectedLength) {
            throw new IllegalArgumentException(what + " must be " + expectedLength + " bytes, got " + bytes.length);
        }
        this.bytes = bytes;
    }

    static byte[] parseHex(String hex, String what) {
        try {
            return HEX.parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid hex: " + e.getMessage(), e);
        }
    }

    /** A copy of the bytes. */
    public final byte[] bytes() {
        return bytes.clone();
    }

    /** Lowercase hex of the bytes. */
    public final String hex() {
        return HEX.formatHex(bytes);
    }

    final int compareBytes(ByteValue other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Arrays.equals(bytes, ((ByteValue) o).bytes);
    }

    @Override
    public final int hashCode() {
        // leading bytes of hashes and keys are uniformly distributed
        return bytes.length >= 4 ? (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | (bytes[3] & 0xFF)
                : Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return hex();
    }
}
