package dev.pando.discovery.bootstrap;

import dev.pando.ProtocolViolationException;

/** A peer broke the peer-exchange protocol or sent a record that does not verify; says why. */
final class PeerExchangeException extends ProtocolViolationException {
    private static final long serialVersionUID = 1L;

    private final transient Rejection rejection;

    PeerExchangeException(Rejection rejection, String message) {
        super(rejection + ": " + message);
        this.rejection = rejection;
    }

    Rejection rejection() {
        return rejection;
    }
}
