package dev.pando;

/** A peer broke a wire protocol: malformed or oversized messages, an unknown protocol, a failed proof of identity. The connection or session is dropped. */
public class ProtocolViolationException extends PandoException {
    private static final long serialVersionUID = 1L;

    public ProtocolViolationException(String message) {
        super(message);
    }

    public ProtocolViolationException(String message, Throwable cause) {
        super(message, cause);
    }
}
