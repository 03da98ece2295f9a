package dev.pando;

import java.util.Optional;

/**
 * A signed operation: its id (BLAKE3 of the exact header bytes), the parsed {@link Header} with
 * those bytes, and the body if it is present (it may have been deleted or not fetched yet).
 *
 * <p>Creating an {@code Operation} from bytes only decodes it; {@link #validate()} checks rules 1–5
 * of docs/OPERATION-FORMAT.md and {@link #validateAfter(Operation)} the rules against the previous
 * operation of its log. Instances are immutable and thread-safe.
 */
public final class Operation {
    private final Hash id;
    private final Header header;
    private final Body body;

    private Operation(Header header, Body body) {
        this.header = header;
        this.body = body;
        this.id = Hash.of(header.unsafeBytes());
    }

    /**
     * Decodes an operation from its exact header bytes and optional body. Does not validate.
     *
     * @param body the body bytes, or {@code null} when the body is absent
     * @throws InvalidOperationException of kind {@link OperationError#DECODE} for malformed bytes
     */
    public static Operation decode(byte[] headerBytes, byte[] body) {
        return new Operation(Header.decode(headerBytes), body == null ? null : Body.of(body));
    }

    /** Decodes an operation as {@link #decode} does, then {@link #validate() validates} it. */
    public static Operation decodeAndValidate(byte[] headerBytes, byte[] body) {
        Operation op = decode(headerBytes, body);
        op.validate();
        return op;
    }

    /** An operation of the given header and body (may be {@code null}). Does not validate. */
    public static Operation of(Header header, Body body) {
        return new Operation(header, body);
    }

    /** Starts building the next operation of a log, signed by {@code key}. */
    public static OperationBuilder builder(PrivateKey key) {
        return new OperationBuilder(key);
    }

    public Hash id() {
        return id;
    }

    public Header header() {
        return header;
    }

    /** The exact header bytes (a copy). */
    public byte[] headerBytes() {
        return header.bytes();
    }

    public Optional<Body> body() {
        return Optional.ofNullable(body);
    }

    /** This operation without its body (after its payload was deleted). */
    public Operation withoutBody() {
        return body == null ? this : new Operation(header, null);
    }

    /** Shorthands for the header fields stores and logs need most. */
    public PublicKey author() {
        return header.publicKey();
    }

    public LogId logId() {
        return header.logId();
    }

    public long seqNum() {
        return header.seqNum();
    }

    /**
     * Checks rules 1–5 of docs/OPERATION-FORMAT.md in their order: signature (strict Ed25519), version,
     * payload info, seq/backlink consistency, and the body against the header if a body is present.
     *
     * @throws InvalidOperationException naming the first rule broken
     */
    public void validate() {
        Signature sig = header.signature().orElseThrow(
                () -> new InvalidOperationException(OperationError.MISSING_SIGNATURE, "the header is not signed"));
        byte[] unsigned = header.unsignedBytes();
        if (!header.publicKey().verify(unsigned, 0, unsigned.length, sig.bytes)) {
            throw new InvalidOperationException(OperationError.SIGNATURE_MISMATCH,
                    "the signature does not verify against the author's key " + header.publicKey());
        }
        validateUnsigned(true);
    }

    /**
     * Rules 2–5: everything but the signature (for operations this process just signed, which
     * skip rule 5 as well: their payload hash was just computed from the body).
     */
    void validateUnsigned(boolean checkBody) {
        if (header.version() != Header.VERSION) {
            throw new InvalidOperationException(OperationError.UNSUPPORTED_VERSION,
                    "version " + Long.toUnsignedString(header.version()) + " is not supported (only 1 is)");
        }
        if ((header.payloadSize() != 0) != header.payloadHash().isPresent()) {
            throw new InvalidOperationException(OperationError.INCONSISTENT_PAYLOAD_INFO,
                    header.payloadSize() == 0 ? "payload_hash is present although payload_size is 0"
                            : "payload_size is " + Long.toUnsignedString(header.payloadSize()) + " but payload_hash is missing");
        }
        if (header.seqNum() == 0 && header.backlink().isPresent()) {
            throw new InvalidOperationException(OperationError.SEQ_NUM_MISMATCH, "seq_num is 0 but a backlink is present");
        }
        if (header.seqNum() > 0 && header.backlink().isEmpty()) {
            throw new InvalidOperationException(OperationError.BACKLINK_MISSING,
                    "seq_num is " + header.seqNum() + " but the backlink is missing");
        }
        if (checkBody && body != null) {
            validateBody(body);
        }
    }

    /**
     * Checks a body against this header's payload_size and payload_hash (rule 5).
     *
     * @throws InvalidOperationException of kind {@link OperationError#PAYLOAD_MISMATCH}
     */
    public void validateBody(Body candidate) {
        if (candidate.size() != header.payloadSize()) {
            throw new InvalidOperationException(OperationError.PAYLOAD_MISMATCH, "the body is " + candidate.size()
                    + " bytes but payload_size is " + Long.toUnsignedString(header.payloadSize()));
        }
        if (candidate.size() > 0 && !Hash.of(candidate.unsafeBytes()).equals(header.payloadHash().orElse(null))) {
            throw new InvalidOperationException(OperationError.PAYLOAD_MISMATCH, "the body's hash differs from payload_hash");
        }
    }

    /**
     * Checks rule 6 against the previous operation of the same log: same author, seq_num one
     * higher, backlink equal to its id. An operation with the prune flag may start a log anywhere
     * (rule 7), so for it this check passes.
     *
     * @throws InvalidOperationException of kind {@link OperationError#TOO_MANY_AUTHORS},
     *     {@link OperationError#SEQ_NUM_NON_INCREMENTAL} or {@link OperationError#BACKLINK_MISMATCH}
     */
    public void validateAfter(Operation previousInLog) {
        if (header.prune()) {
            return;
        }
        Header prev = previousInLog.header;
        if (!prev.publicKey().equals(header.publicKey())) {
            throw new InvalidOperationException(OperationError.TOO_MANY_AUTHORS,
                    "the previous operation was written by " + prev.publicKey() + ", this one by " + header.publicKey());
        }
        if (header.seqNum() != prev.seqNum() + 1) {
            throw new InvalidOperationException(OperationError.SEQ_NUM_NON_INCREMENTAL,
                    "seq_num " + header.seqNum() + " does not follow " + prev.seqNum());
        }
        if (!previousInLog.id.equals(header.backlink().orElse(null))) {
            throw new InvalidOperationException(OperationError.BACKLINK_MISMATCH,
                    "the backlink is not the id of operation " + prev.seqNum() + " (" + previousInLog.id + ")");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Operation op && id.equals(op.id) && java.util.Objects.equals(body, op.body);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "Operation[" + id + ", author " + author() + ", log " + logId() + ", seq " + seqNum()
                + (body == null ? ", no body" : ", " + body.size() + " bytes") + "]";
    }
}
