package dev.pando;

/**
 * Bytes that are not strict, canonical CBOR of the kinds Pando uses. The {@link Kind} says what
 * was wrong; the message says where.
 */
public final class CborException extends PandoException {
    private static final long serialVersionUID = 1L;

    /** What was wrong with the input. */
    public enum Kind {
        /** The input ended before the item did (including lengths beyond the input). */
        TRUNCATED,
        /** An integer or length head was not written in its shortest form. */
        NON_CANONICAL,
        /** An indefinite-length string, array or map. */
        INDEFINITE_LENGTH,
        /** Bytes remained after the top-level item. */
        TRAILING_BYTES,
        /** A well-formed item of another type than the one expected. */
        WRONG_TYPE,
        /** A CBOR type Pando does not use (negative integers, tags, floats, simple values). */
        UNSUPPORTED_TYPE,
        /** Arrays and maps nested deeper than {@link CborReader#MAX_DEPTH}. */
        TOO_DEEP,
        /** A string of another length than the one expected (e.g. a 31-byte hash). */
        WRONG_LENGTH,
        /** Reserved additional-information values (28–30) or a stray "break" byte. */
        MALFORMED,
        /** A value beyond what the reader accepts (e.g. an integer above 2^63-1 where a long is needed). */
        OUT_OF_RANGE,
        /** A text string that is not valid UTF-8. */
        INVALID_UTF8,
        /** A map with the same key twice. */
        DUPLICATE_KEY
    }

    private final Kind kind;
    private final int offset;

    public CborException(Kind kind, int offset, String message) {
        super(message + " (at byte " + offset + ")");
        this.kind = kind;
        this.offset = offset;
    }

    public Kind kind() {
        return kind;
    }

    /** Byte offset in the input where the problem was found. */
    public int offset() {
        return offset;
    }
}
