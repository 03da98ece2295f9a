package dev.pando.examples;

import dev.pando.PandoException;

/**
 * A command line that parsed but whose content is unusable (e.g. an option value that is not hex,
 * or a hash of the wrong length). Printed as {@code {"error": "InvalidInput", "message": …}}, exit
 * code 1. The message must never contain a private key.
 */
final class InvalidInputException extends PandoException {
    private static final long serialVersionUID = 1L;

    /** The {@code error} value printed for this exception. */
    static final String KIND = "InvalidInput";

    InvalidInputException(String message) {
        super(message);
    }

    InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
