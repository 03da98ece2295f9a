package dev.pando;

import java.util.Arrays;
import java.util.HexFormat;

/** The payload of an operation. Its BLAKE3 hash and length go into the header. */
public final class Body {
    private final byte[] bytes;

    private Body(byte[] bytes) {
        this.bytes = bytes;
    }

    public static Body of(byte[] bytes) {
        return new Body(bytes.clone());
    }

    static Body wrap(byte[] bytes) {
        return new Body(bytes);
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    public Hash hash() {
        return Hash.of(bytes);
    }

    byte[] unsafeBytes() {
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Body b && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return bytes.length <= 32 ? "Body[" + HexFormat.of().formatHex(bytes) + "]" : "Body[" + bytes.length + " bytes]";
    }
}
