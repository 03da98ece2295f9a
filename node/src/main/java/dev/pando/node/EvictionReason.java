package dev.pando.node;

/** Why an operation held as {@link IngestResult.Pending} left the buffer without being stored. */
public enum EvictionReason {
    /** The buffer held its maximum number of operations; the oldest went. */
    COUNT_LIMIT,
    /** The buffer held its maximum number of bytes; the oldest went. */
    BYTE_LIMIT,
    /** Its log was pruned past it (a later operation with the prune flag was stored). */
    OUTDATED,
    /**
     * It was released into a batch whose store transaction failed; the operation is dropped (the
     * next sync delivers it again).
     */
    STORE_FAILURE
}
