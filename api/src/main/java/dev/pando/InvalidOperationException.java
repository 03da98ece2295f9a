package dev.pando;

/** An operation failed decoding or validation; {@link #kind()} says which rule it broke. */
public final class InvalidOperationException extends PandoException {
    private static final long serialVersionUID = 1L;

    private final OperationError kind;

    public InvalidOperationException(OperationError kind, String message) {
        super(message);
        this.kind = kind;
    }

    public InvalidOperationException(OperationError kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public OperationError kind() {
        return kind;
    }
}
