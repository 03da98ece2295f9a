package dev.pando;

/**
 * Why an operation is invalid. Each kind is checked in the order of docs/OPERATION-FORMAT.md, and the
 * first failing check decides the kind. {@link #wireName()} is the stable name used by the command
 * line and by wire protocols.
 */
public enum OperationError {
    /** The header bytes are not a well-formed, canonical header (see {@link CborException}). */
    DECODE("Decode"),
    /** The header carries no signature. */
    MISSING_SIGNATURE("MissingSignature"),
    /** The signature does not verify strictly against the author's key over the unsigned header. */
    SIGNATURE_MISMATCH("SignatureMismatch"),
    /** The version is not 1. */
    UNSUPPORTED_VERSION("UnsupportedVersion"),
    /** payload_hash is present although payload_size is 0, or the other way round. */
    INCONSISTENT_PAYLOAD_INFO("InconsistentPayloadInfo"),
    /** seq_num is 0 but a backlink is present. */
    SEQ_NUM_MISMATCH("SeqNumMismatch"),
    /** seq_num is above 0 but no backlink is present. */
    BACKLINK_MISSING("BacklinkMissing"),
    /** The body's BLAKE3 hash or length does not match payload_hash / payload_size. */
    PAYLOAD_MISMATCH("PayloadMismatch"),
    /** The operation's author differs from the author of the previous operation in its log. */
    TOO_MANY_AUTHORS("TooManyAuthors"),
    /** seq_num is not the previous operation's seq_num + 1. */
    SEQ_NUM_NON_INCREMENTAL("SeqNumNonIncremental"),
    /** The backlink is not the id of the previous operation. */
    BACKLINK_MISMATCH("BacklinkMismatch");

    private final String wireName;

    OperationError(String wireName) {
        this.wireName = wireName;
    }

    /** The stable, CamelCase name of this kind (e.g. {@code "SignatureMismatch"}). */
    public String wireName() {
        return wireName;
    }
}
