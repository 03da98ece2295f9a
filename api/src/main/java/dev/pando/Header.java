package dev.pando;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A p2panda-core 0.3 operation header: a positional CBOR array (see docs/OPERATION-FORMAT.md). A header
 * always keeps the exact bytes it was decoded from (or was encoded to when built), so ids and
 * signatures are computed over the original bytes, never over a re-encoding.
 *
 * <p>Decoding tells optional elements apart by their CBOR type (a byte string where a signature,
 * payload hash or backlink may stand, an unsigned integer or array otherwise). For every valid
 * header this reads exactly what p2panda reads; for an inconsistent one (say seq 0 with a backlink)
 * it lets {@link Operation#validate()} report the precise error kind instead of a bare decode error.
 *
 * <p>Integers: {@code timestamp} and {@code payload_size} are unsigned 64-bit (read them with
 * {@link Long#toUnsignedString(long)}); {@code seq_num} must be at most 2^63-1, larger values are
 * rejected as {@link OperationError#DECODE} since no log can reach them.
 */
public final class Header {
    /** The version this implementation writes and accepts. */
    public static final long VERSION = 1;
    /** Elements of a header array without optional elements. */
    static final int MIN_ELEMENTS = 6;
    static final int MAX_ELEMENTS = 10;
    /** Largest number of {@code previous} hashes accepted. */
    public static final int MAX_PREVIOUS = 64;
    private static final CborValue.Text LOG_ID_KEY = new CborValue.Text("log_id");
    private static final CborValue.Text PRUNE_KEY = new CborValue.Text("prune");

    private final long version;
    private final PublicKey publicKey;
    private final Signature signature;
    private final long payloadSize;
    private final Hash payloadHash;
    private final long timestamp;
    private final long seqNum;
    private final Hash backlink;
    private final List<Hash> previous;
    private final byte[] extensions; // exact encoded bytes of the item, or null
    private final CborValue extensionsValue;
    private final LogId logId;
    private final boolean prune;
    private final byte[] encoded;
    private final int signatureOffset; // offset of the signature element's head in encoded, -1 if absent

    private Header(long version, PublicKey publicKey, Signature signature, long payloadSize, Hash payloadHash,
            long timestamp, long seqNum, Hash backlink, List<Hash> previous, byte[] extensions,
            CborValue extensionsValue, byte[] encoded, int signatureOffset) {
        this.version = version;
        this.publicKey = publicKey;
        this.signature = signature;
        this.payloadSize = payloadSize;
        this.payloadHash = payloadHash;
        this.timestamp = timestamp;
        this.seqNum = seqNum;
        this.backlink = backlink;
        this.previous = previous;
        this.extensions = extensions;
        this.extensionsValue = extensionsValue;
        this.encoded = encoded;
        this.signatureOffset = signatureOffset;
        LogId id = LogId.EMPTY;
        boolean p = false;
        if (extensionsValue instanceof CborValue.Map map) {
            CborValue l = map.entries().get(LOG_ID_KEY);
            if (l != null) {
                if (!(l instanceof CborValue.Bytes b) || b.length() > LogId.MAX_LENGTH) {
                    throw new InvalidOperationException(OperationError.DECODE,
                            "the log_id extension must be a byte string of at most " + LogId.MAX_LENGTH + " bytes");
                }
                id = LogId.wrap(b.unsafeValue());
            }
            CborValue pr = map.entries().get(PRUNE_KEY);
            if (pr != null) {
                if (!(pr instanceof CborValue.Bool b)) {
                    throw new InvalidOperationException(OperationError.DECODE, "the prune extension must be a boolean");
                }
                p = b.value();
            }
        }
        this.logId = id;
        this.prune = p;
    }

    /**
     * Decodes a header from its exact bytes.
     *
     * @throws InvalidOperationException with kind {@link OperationError#DECODE} if the bytes are not
     *     one canonical header array (the cause is the {@link CborException}, if any)
     */
    public static Header decode(byte[] bytes) {
        return decodeOwned(bytes.clone());
    }

    static Header decodeOwned(byte[] bytes) {
        try {
            CborReader r = new CborReader(bytes);
            int n = r.readArrayHeader();
            if (n < MIN_ELEMENTS || n > MAX_ELEMENTS) {
                throw decodeError("a header has 6 to 10 elements, found " + n, null);
            }
            Elements e = new Elements(r, n);
            long version = e.next().readUnsigned();
            PublicKey publicKey = PublicKey.wrap(e.peek().readBytes(PublicKey.LENGTH));
            e.take();
            Signature signature = null;
            int signatureOffset = -1;
            if (e.peek().peekMajorType() == CborWriter.MAJOR_BYTES) {
                signatureOffset = r.position();
                signature = Signature.wrap(r.readBytes(Signature.LENGTH));
                e.take();
            }
            long payloadSize = e.next().readUnsigned();
            Hash payloadHash = null;
            if (e.peek().peekMajorType() == CborWriter.MAJOR_BYTES) {
                payloadHash = Hash.wrap(r.readBytes(Hash.LENGTH));
                e.take();
            }
            long timestamp = e.next().readUnsigned();
            long seqNum = e.next().readLong();
            Hash backlink = null;
            if (e.peek().peekMajorType() == CborWriter.MAJOR_BYTES) {
                backlink = Hash.wrap(r.readBytes(Hash.LENGTH));
                e.take();
            }
            int count = e.next().readArrayHeader();
            if (count > MAX_PREVIOUS) {
                throw decodeError("at most " + MAX_PREVIOUS + " previous hashes are accepted, found " + count, null);
            }
            List<Hash> previous = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                previous.add(Hash.wrap(r.readBytes(Hash.LENGTH)));
            }
            byte[] extensions = null;
            CborValue extensionsValue = null;
            if (e.left() == 1) {
                int start = r.position();
                extensionsValue = e.next().readValue();
                extensions = Arrays.copyOfRange(bytes, start, r.position());
            } else if (e.left() > 1) {
                throw decodeError("a header has " + e.left() + " elements too many", null);
            }
            r.expectEnd();
            return new Header(version, publicKey, signature, payloadSize, payloadHash, timestamp, seqNum, backlink,
                    Collections.unmodifiableList(previous), extensions, extensionsValue, bytes, signatureOffset);
        } catch (CborException ex) {
            throw decodeError("malformed header: " + ex.getMessage(), ex);
        }
    }

    /** Walks the elements of the header array and fails cleanly when they run out. */
    private static final class Elements {
        private final CborReader reader;
        private int left;

        Elements(CborReader reader, int count) {
            this.reader = reader;
            this.left = count;
        }

        /** The reader positioned at the next element, which the caller reads now. */
        CborReader next() {
            peek();
            left--;
            return reader;
        }

        /** The reader positioned at the next element, which the caller may or may not read. */
        CborReader peek() {
            if (left == 0) {
                throw decodeError("the header array ends before its required elements", null);
            }
            return reader;
        }

        void take() {
            left--;
        }

        int left() {
            return left;
        }
    }

    private static InvalidOperationException decodeError(String message, Throwable cause) {
        return new InvalidOperationException(OperationError.DECODE, message, cause);
    }

    /** Encodes the given fields canonically and returns the header; {@code signature} may be null. */
    static Header encode(long version, PublicKey publicKey, Signature signature, long payloadSize, Hash payloadHash,
            long timestamp, long seqNum, Hash backlink, List<Hash> previous, CborValue extensions) {
        Objects.requireNonNull(publicKey, "publicKey");
        if (seqNum < 0) {
            throw new IllegalArgumentException("seq_num must be between 0 and 2^63-1");
        }
        if (previous.size() > MAX_PREVIOUS) {
            throw new IllegalArgumentException("at most " + MAX_PREVIOUS + " previous hashes");
        }
        byte[] ext = extensions == null ? null : CborWriter.encode(extensions);
        CborWriter w = new CborWriter(160 + (ext == null ? 0 : ext.length) + 34 * previous.size());
        int n = MIN_ELEMENTS + (signature != null ? 1 : 0) + (payloadHash != null ? 1 : 0)
                + (backlink != null ? 1 : 0) + (ext != null ? 1 : 0);
        w.writeArrayHeader(n).writeUnsigned(version).writeBytes(publicKey.bytes);
        int signatureOffset = -1;
        if (signature != null) {
            signatureOffset = w.size();
            w.writeBytes(signature.bytes);
        }
        w.writeUnsigned(payloadSize);
        if (payloadHash != null) {
            w.writeBytes(payloadHash.bytes);
        }
        w.writeUnsigned(timestamp).writeUnsigned(seqNum);
        if (backlink != null) {
            w.writeBytes(backlink.bytes);
        }
        w.writeArrayHeader(previous.size());
        for (Hash h : previous) {
            w.writeBytes(h.bytes);
        }
        if (ext != null) {
            w.writeEncoded(ext, 0, ext.length);
        }
        return new Header(version, publicKey, signature, payloadSize, payloadHash, timestamp, seqNum, backlink,
                List.copyOf(previous), ext, extensions, w.toByteArray(), signatureOffset);
    }

    /**
     * This (unsigned) header with the given signature inserted as element 3: the array head grows
     * by one and the signature's 66 encoded bytes go in after the public key, which is exactly the
     * canonical encoding of the signed header.
     */
    Header withSignature(Signature sig) {
        if (signatureOffset >= 0) {
            throw new IllegalStateException("the header is already signed");
        }
        int at = 1 + (version < 24 ? 1 : CborWriter.encode(new CborValue.UInt(version)).length) + 2 + PublicKey.LENGTH;
        byte[] out = new byte[encoded.length + 2 + Signature.LENGTH];
        out[0] = (byte) (encoded[0] + 1); // the array head is one byte: at most 10 elements
        System.arraycopy(encoded, 1, out, 1, at - 1);
        out[at] = (byte) 0x58; // byte string, one-byte length
        out[at + 1] = (byte) Signature.LENGTH;
        System.arraycopy(sig.bytes, 0, out, at + 2, Signature.LENGTH);
        System.arraycopy(encoded, at, out, at + 2 + Signature.LENGTH, encoded.length - at);
        return new Header(version, publicKey, sig, payloadSize, payloadHash, timestamp, seqNum, backlink, previous,
                extensions, extensionsValue, out, at);
    }

    /**
     * The bytes that are signed: this header without its signature element. Derived from the
     * original bytes by dropping that element and decrementing the array length, which is exactly
     * the canonical re-encoding for a canonical header.
     */
    public byte[] unsignedBytes() {
        if (signatureOffset < 0) {
            return encoded.clone();
        }
        int sigLen = 2 + Signature.LENGTH;
        byte[] out = new byte[encoded.length - sigLen];
        out[0] = (byte) (encoded[0] - 1); // the array head is one byte: at most 10 elements
        System.arraycopy(encoded, 1, out, 1, signatureOffset - 1);
        System.arraycopy(encoded, signatureOffset + sigLen, out, signatureOffset, encoded.length - signatureOffset - sigLen);
        return out;
    }

    /** The exact bytes of this header. */
    public byte[] bytes() {
        return encoded.clone();
    }

    byte[] unsafeBytes() {
        return encoded;
    }

    /** BLAKE3 of the exact header bytes: the id of the operation. */
    public Hash hash() {
        return Hash.of(encoded);
    }

    public long version() {
        return version;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    public Optional<Signature> signature() {
        return Optional.ofNullable(signature);
    }

    /** Payload size in bytes, unsigned. */
    public long payloadSize() {
        return payloadSize;
    }

    public Optional<Hash> payloadHash() {
        return Optional.ofNullable(payloadHash);
    }

    /** Microseconds since the Unix epoch, unsigned; not validated. */
    public long timestamp() {
        return timestamp;
    }

    public long seqNum() {
        return seqNum;
    }

    public Optional<Hash> backlink() {
        return Optional.ofNullable(backlink);
    }

    public List<Hash> previous() {
        return previous;
    }

    /** The extensions item, if the header has one. */
    public Optional<CborValue> extensions() {
        return Optional.ofNullable(extensionsValue);
    }

    /** The exact encoded bytes of the extensions item, if any. */
    public Optional<byte[]> extensionsBytes() {
        return extensions == null ? Optional.empty() : Optional.of(extensions.clone());
    }

    /** The log this header belongs to (the {@code "log_id"} extension, or {@link LogId#EMPTY}). */
    public LogId logId() {
        return logId;
    }

    /** Whether the {@code "prune"} extension is set: the log may start here. */
    public boolean prune() {
        return prune;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Header h && Arrays.equals(encoded, h.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "Header[author " + publicKey + ", log " + logId + ", seq " + seqNum + "]";
    }
}
