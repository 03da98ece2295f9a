package dev.pando;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict reader of canonical CBOR over a byte array. It accepts only what {@link CborWriter}
 * produces: shortest integer heads, definite lengths, unsigned integers, byte and text strings,
 * arrays, maps, booleans and null. Everything else fails with a {@link CborException} naming the
 * problem and its offset, never with another exception. A claimed length is checked against the
 * bytes actually left before anything is allocated, so a hostile length costs nothing.
 *
 * <p>Map keys may come in any order (p2panda writes struct fields in declaration order) but must
 * not repeat. Not thread-safe.
 */
public final class CborReader {
    /** Deepest nesting of arrays and maps that {@link #readValue()} accepts. */
    public static final int MAX_DEPTH = 16;

    private final byte[] in;
    private final int limit;
    private int pos;

    public CborReader(byte[] in) {
        this(in, 0, in.length);
    }

    public CborReader(byte[] in, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > in.length) {
            throw new IndexOutOfBoundsException("offset " + offset + ", length " + length);
        }
        this.in = in;
        this.pos = offset;
        this.limit = offset + length;
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return limit - pos;
    }

    public boolean hasRemaining() {
        return pos < limit;
    }

    /** Fails with {@link CborException.Kind#TRAILING_BYTES} unless all input was consumed. */
    public void expectEnd() {
        if (pos != limit) {
            throw new CborException(CborException.Kind.TRAILING_BYTES, pos,
                    (limit - pos) + " bytes after the end of the item");
        }
    }

    /** The major type (0–7) of the next item, without consuming it. */
    public int peekMajorType() {
        need(1);
        return (in[pos] & 0xFF) >>> 5;
    }

    /** Reads an unsigned integer; the result holds 64 bits to be read with unsigned semantics. */
    public long readUnsigned() {
        return readHead(CborWriter.MAJOR_UINT, "an unsigned integer");
    }

    /** Reads an unsigned integer that must fit a signed {@code long} (at most 2^63-1). */
    public long readLong() {
        int start = pos;
        long v = readUnsigned();
        if (v < 0) {
            throw new CborException(CborException.Kind.OUT_OF_RANGE, start,
                    "integer " + Long.toUnsignedString(v) + " is above 2^63-1");
        }
        return v;
    }

    public byte[] readBytes() {
        int start = pos;
        int n = readLength(CborWriter.MAJOR_BYTES, "a byte string", start);
        byte[] out = Arrays.copyOfRange(in, pos, pos + n);
        pos += n;
        return out;
    }

    /** Reads a byte string that must be exactly {@code length} bytes long. */
    public byte[] readBytes(int length) {
        int start = pos;
        int n = readLength(CborWriter.MAJOR_BYTES, "a byte string", start);
        if (n != length) {
            throw new CborException(CborException.Kind.WRONG_LENGTH, start,
                    "expected a " + length + "-byte string, found " + n + " bytes");
        }
        byte[] out = Arrays.copyOfRange(in, pos, pos + n);
        pos += n;
        return out;
    }

    public String readText() {
        int start = pos;
        int n = readLength(CborWriter.MAJOR_TEXT, "a text string", start);
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(in, pos, n))
                    .toString();
            pos += n;
            return s;
        } catch (CharacterCodingException e) {
            throw new CborException(CborException.Kind.INVALID_UTF8, start, "text string is not valid UTF-8");
        }
    }

    /** Reads an array head and returns its item count (each item needs at least one byte left). */
    public int readArrayHeader() {
        int start = pos;
        long n = readHead(CborWriter.MAJOR_ARRAY, "an array");
        return checkCount(n, 1, start);
    }

    /** Reads a map head and returns its entry count (each entry needs at least two bytes left). */
    public int readMapHeader() {
        int start = pos;
        long n = readHead(CborWriter.MAJOR_MAP, "a map");
        return checkCount(n, 2, start);
    }

    public boolean readBoolean() {
        need(1);
        int b = in[pos] & 0xFF;
        if (b == 0xF4 || b == 0xF5) {
            pos++;
            return b == 0xF5;
        }
        throw unexpected(b, "a boolean", pos);
    }

    public void readNull() {
        need(1);
        int b = in[pos] & 0xFF;
        if (b != 0xF6) {
            throw unexpected(b, "null", pos);
        }
        pos++;
    }

    /** Reads any supported item, nested at most {@link #MAX_DEPTH} deep. */
    public CborValue readValue() {
        return readValue(0);
    }

    /**
     * Skips one supported item (validating it as {@link #readValue()} does) and returns its exact
     * encoded bytes.
     */
    public byte[] readEncodedValue() {
        int start = pos;
        readValue(0);
        return Arrays.copyOfRange(in, start, pos);
    }

    private CborValue readValue(int depth) {
        need(1);
        int start = pos;
        int major = (in[pos] & 0xFF) >>> 5;
        switch (major) {
            case CborWriter.MAJOR_UINT:
                return new CborValue.UInt(readUnsigned());
            case CborWriter.MAJOR_BYTES:
                return CborValue.Bytes.wrap(readBytes());
            case CborWriter.MAJOR_TEXT:
                return new CborValue.Text(readText());
            case CborWriter.MAJOR_ARRAY: {
                if (depth >= MAX_DEPTH) {
                    throw new CborException(CborException.Kind.TOO_DEEP, start,
                            "arrays and maps nested deeper than " + MAX_DEPTH);
                }
                int n = readArrayHeader();
                List<CborValue> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(readValue(depth + 1));
                }
                return new CborValue.Array(items);
            }
            case CborWriter.MAJOR_MAP: {
                if (depth >= MAX_DEPTH) {
                    throw new CborException(CborException.Kind.TOO_DEEP, start,
                            "arrays and maps nested deeper than " + MAX_DEPTH);
                }
                int n = readMapHeader();
                Map<CborValue, CborValue> entries = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    int keyAt = pos;
                    CborValue key = readValue(depth + 1);
                    CborValue value = readValue(depth + 1);
                    if (entries.putIfAbsent(key, value) != null) {
                        throw new CborException(CborException.Kind.DUPLICATE_KEY, keyAt, "map key " + key + " repeats");
                    }
                }
                return new CborValue.Map(entries);
            }
            case CborWriter.MAJOR_SIMPLE: {
                int b = in[pos] & 0xFF;
                if (b == 0xF4 || b == 0xF5) {
                    return new CborValue.Bool(readBoolean());
                }
                if (b == 0xF6) {
                    pos++;
                    return CborValue.Null.INSTANCE;
                }
                throw unexpected(b, "a supported item", start);
            }
            default:
                throw unexpected(in[pos] & 0xFF, "a supported item", start);
        }
    }

    private int readLength(int major, String what, int start) {
        long n = readHead(major, what);
        if (n < 0 || n > remaining()) {
            throw new CborException(CborException.Kind.TRUNCATED, start,
                    "length " + Long.toUnsignedString(n) + " runs past the end of the input (" + remaining() + " bytes left)");
        }
        return (int) n;
    }

    private int checkCount(long n, int minBytesPerItem, int start) {
        if (n < 0 || n > remaining() / minBytesPerItem) {
            throw new CborException(CborException.Kind.TRUNCATED, start,
                    "count " + Long.toUnsignedString(n) + " cannot fit in the " + remaining() + " bytes left");
        }
        return (int) n;
    }

    /** Reads an item head of the given major type and returns its argument. */
    private long readHead(int major, String what) {
        need(1);
        int start = pos;
        int b = in[pos] & 0xFF;
        if (b >>> 5 != major) {
            throw unexpected(b, what, start);
        }
        int info = b & 0x1F;
        pos++;
        if (info < 24) {
            return info;
        }
        long value;
        long minimum;
        switch (info) {
            case 24:
                value = readBigEndian(1);
                minimum = 24;
                break;
            case 25:
                value = readBigEndian(2);
                minimum = 0x100;
                break;
            case 26:
                value = readBigEndian(4);
                minimum = 0x1_0000L;
                break;
            case 27:
                value = readBigEndian(8);
                minimum = 0x1_0000_0000L;
                break;
            case 31:
                pos = start;
                throw new CborException(major == CborWriter.MAJOR_UINT ? CborException.Kind.MALFORMED
                        : CborException.Kind.INDEFINITE_LENGTH, start, "indefinite length is not allowed for " + what);
            default:
                pos = start;
                throw new CborException(CborException.Kind.MALFORMED, start, "reserved additional information " + info);
        }
        if (Long.compareUnsigned(value, minimum) < 0) {
            pos = start;
            throw new CborException(CborException.Kind.NON_CANONICAL, start,
                    "head of " + what + " is not in its shortest form");
        }
        return value;
    }

    private long readBigEndian(int bytes) {
        need(bytes);
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v = (v << 8) | (in[pos++] & 0xFF);
        }
        return v;
    }

    private void need(int n) {
        if (limit - pos < n) {
            throw new CborException(CborException.Kind.TRUNCATED, pos, "input ends early");
        }
    }

    private static CborException unexpected(int initialByte, String expected, int offset) {
        int major = initialByte >>> 5;
        int info = initialByte & 0x1F;
        String found;
        CborException.Kind kind;
        switch (major) {
            case 1:
                found = "a negative integer";
                kind = CborException.Kind.UNSUPPORTED_TYPE;
                break;
            case 6:
                found = "a tag";
                kind = CborException.Kind.UNSUPPORTED_TYPE;
                break;
            case 7:
                if (info == 20 || info == 21) {
                    found = "a boolean";
                    kind = CborException.Kind.WRONG_TYPE;
                } else if (info == 22) {
                    found = "null";
                    kind = CborException.Kind.WRONG_TYPE;
                } else if (info == 31) {
                    found = "a stray break";
                    kind = CborException.Kind.MALFORMED;
                } else {
                    found = info >= 25 && info <= 27 ? "a float" : "a simple value";
                    kind = CborException.Kind.UNSUPPORTED_TYPE;
                }
                break;
            default:
                found = new String[] {"an unsigned integer", "", "a byte string", "a text string", "an array", "a map"}[major];
                kind = CborException.Kind.WRONG_TYPE;
        }
        return new CborException(kind, offset, "expected " + expected + ", found " + found);
    }
}
