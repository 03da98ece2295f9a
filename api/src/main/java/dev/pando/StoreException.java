package dev.pando;

import java.util.Objects;

/**
 * A store failed: the database cannot be opened, is locked, read-only, corrupt, was written by a
 * newer schema version, or an I/O error occurred. {@link #reason()} says which, so that a caller
 * can tell a busy database (retry later) from a read-only one (open it read-only) without reading
 * the message.
 */
public class StoreException extends PandoException {
    private static final long serialVersionUID = 1L;

    /** Why a store failed. */
    public enum Reason {
        /** Another connection or process holds a lock on the database for longer than the store waits: retrying later may succeed. */
        BUSY,
        /** The store may not be written: its file or directory is read-only, or it was opened read-only. */
        READ_ONLY,
        /** The store cannot be opened or created: a missing directory, a directory in its place, no permission to read. */
        CANNOT_OPEN,
        /** The file is not a database or is damaged. */
        CORRUPT,
        /** The file is a database this store does not accept: another application's, or written by a newer version. */
        INCOMPATIBLE,
        /** The disk or the database is full. */
        FULL,
        /** Another operation occupies the (author, log id, seq) of the one to insert. */
        CONFLICT,
        /** The store was closed. */
        CLOSED,
        /** Any other failure, such as an I/O error. */
        FAILED
    }

    private final Reason reason;

    public StoreException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public StoreException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** A failure of reason {@link Reason#FAILED}. */
    public StoreException(String message) {
        this(Reason.FAILED, message);
    }

    /** A failure of reason {@link Reason#FAILED}. */
    public StoreException(String message, Throwable cause) {
        this(Reason.FAILED, message, cause);
    }

    /** Why the store failed. */
    public Reason reason() {
        return reason;
    }
}
