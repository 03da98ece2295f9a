package dev.pando;

/** A store failed: the database cannot be opened, is corrupt, was written by a newer schema version, or an I/O error occurred. */
public class StoreException extends PandoException {
    private static final long serialVersionUID = 1L;

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
