package dev.pando;

/** The connection or stream was closed (by either side, or because the transport shut down) while an operation was in progress. */
public class ConnectionClosedException extends PandoException {
    private static final long serialVersionUID = 1L;

    public ConnectionClosedException(String message) {
        super(message);
    }

    public ConnectionClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
