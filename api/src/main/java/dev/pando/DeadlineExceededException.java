package dev.pando;

/** A dial, read, write or other wait did not complete before its deadline. */
public class DeadlineExceededException extends PandoException {
    private static final long serialVersionUID = 1L;

    public DeadlineExceededException(String message) {
        super(message);
    }

    public DeadlineExceededException(String message, Throwable cause) {
        super(message, cause);
    }
}
