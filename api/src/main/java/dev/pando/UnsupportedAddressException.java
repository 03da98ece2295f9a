package dev.pando;

/**
 * A transport was asked to dial a {@link NodeAddress} it cannot reach at all: the address names no
 * way to reach the node that this transport knows (for example only a relay URL, given to a direct
 * QUIC transport). Not a network failure: nothing was sent. Callers pick a transport whose
 * {@code supports(address)} is true instead of retrying.
 */
public class UnsupportedAddressException extends PandoException {
    private static final long serialVersionUID = 1L;

    public UnsupportedAddressException(String message) {
        super(message);
    }
}
