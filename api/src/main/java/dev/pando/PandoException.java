package dev.pando;

/**
 * Root of Pando's unchecked exception family. Library I/O exceptions are wrapped in a subtype,
 * never leaked.
 */
public class PandoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PandoException(String message) {
        super(message);
    }

    public PandoException(String message, Throwable cause) {
        super(message, cause);
    }
}
