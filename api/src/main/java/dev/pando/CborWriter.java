package dev.pando;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes canonical CBOR (RFC 8949 §4.2.1): shortest heads, definite lengths, map keys sorted by
 * their encoded bytes. Not thread-safe; reusable through {@link #reset()}.
 */
public final class CborWriter {
    static final int MAJOR_UINT = 0;
    static final int MAJOR_BYTES = 2;
    static final int MAJOR_TEXT = 3;
    static final int MAJOR_ARRAY = 4;
    static final int MAJOR_MAP = 5;
    static final int MAJOR_SIMPLE = 7;

    private byte[] buf;
    private int len;

    public CborWriter() {
        this(128);
    }

    public CborWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    /** Writes an unsigned integer; {@code value} is read with unsigned semantics. */
    public CborWriter writeUnsigned(long value) {
        writeHead(MAJOR_UINT, value);
        return this;
    }

    public CborWriter writeBytes(byte[] value) {
        return writeBytes(value, 0, value.length);
    }

    public CborWriter writeBytes(byte[] value, int offset, int length) {
        writeHead(MAJOR_BYTES, length);
        writeRaw(value, offset, length);
        return this;
    }

    public CborWriter writeText(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        writeHead(MAJOR_TEXT, utf8.length);
        writeRaw(utf8, 0, utf8.length);
        return this;
    }

    /** Starts an array of {@code size} items; the caller writes them next. */
    public CborWriter writeArrayHeader(int size) {
        checkSize(size);
        writeHead(MAJOR_ARRAY, size);
        return this;
    }

    /**
     * Starts a map of {@code size} entries; the caller writes key, value, key, value… next and is
     * responsible for the canonical key order. {@link #write(CborValue)} sorts by itself.
     */
    public CborWriter writeMapHeader(int size) {
        checkSize(size);
        writeHead(MAJOR_MAP, size);
        return this;
    }

    public CborWriter writeBoolean(boolean value) {
        ensure(1);
        buf[len++] = (byte) ((MAJOR_SIMPLE << 5) | (value ? 21 : 20));
        return this;
    }

    public CborWriter writeNull() {
        ensure(1);
        buf[len++] = (byte) ((MAJOR_SIMPLE << 5) | 22);
        return this;
    }

    /** Writes an already-encoded CBOR item as it is. The caller vouches for its validity. */
    public CborWriter writeEncoded(byte[] encoded, int offset, int length) {
        writeRaw(encoded, offset, length);
        return this;
    }

    /** Writes any value canonically; maps are written with their keys sorted. */
    public CborWriter write(CborValue value) {
        if (value instanceof CborValue.UInt u) {
            writeUnsigned(u.value());
        } else if (value instanceof CborValue.Bytes b) {
            writeBytes(b.unsafeValue());
        } else if (value instanceof CborValue.Text t) {
            writeText(t.value());
        } else if (value instanceof CborValue.Bool b) {
            writeBoolean(b.value());
        } else if (value instanceof CborValue.Null) {
            writeNull();
        } else if (value instanceof CborValue.Array a) {
            writeArrayHeader(a.items().size());
            for (CborValue item : a.items()) {
                write(item);
            }
        } else if (value instanceof CborValue.Map m) {
            writeMapHeader(m.entries().size());
            List<byte[][]> encoded = new ArrayList<>(m.entries().size());
            m.entries().forEach((k, v) -> encoded.add(new byte[][] {encode(k), encode(v)}));
            encoded.sort((x, y) -> Arrays.compareUnsigned(x[0], y[0]));
            for (byte[][] kv : encoded) {
                writeRaw(kv[0], 0, kv[0].length);
                writeRaw(kv[1], 0, kv[1].length);
            }
        } else {
            throw new IllegalArgumentException("unknown CBOR value " + value);
        }
        return this;
    }

    /** The canonical encoding of one value. */
    public static byte[] encode(CborValue value) {
        return new CborWriter().write(value).toByteArray();
    }

    public int size() {
        return len;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    public CborWriter reset() {
        len = 0;
        return this;
    }

    private static void checkSize(int size) {
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
    }

    private void writeHead(int major, long value) {
        ensure(9);
        int m = major << 5;
        if (value >= 0 && value < 24) {
            buf[len++] = (byte) (m | (int) value);
        } else if (value >= 0 && value <= 0xFFL) {
            buf[len++] = (byte) (m | 24);
            buf[len++] = (byte) value;
        } else if (value >= 0 && value <= 0xFFFFL) {
            buf[len++] = (byte) (m | 25);
            buf[len++] = (byte) (value >>> 8);
            buf[len++] = (byte) value;
        } else if (value >= 0 && value <= 0xFFFF_FFFFL) {
            buf[len++] = (byte) (m | 26);
            for (int shift = 24; shift >= 0; shift -= 8) {
                buf[len++] = (byte) (value >>> shift);
            }
        } else {
            buf[len++] = (byte) (m | 27);
            for (int shift = 56; shift >= 0; shift -= 8) {
                buf[len++] = (byte) (value >>> shift);
            }
        }
    }

    private void writeRaw(byte[] src, int offset, int length) {
        ensure(length);
        System.arraycopy(src, offset, buf, len, length);
        len += length;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }
}
