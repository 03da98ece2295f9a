package dev.pando.examples;

import dev.pando.PandoException;

/**
 * Writing to stdout failed (a full disk, a closed pipe): the result is lost, so the command fails
 * with exit code 1 and {@code {"error": "OutputFailed", "message": …}} on stderr, the only place
 * left to say so.
 */
final class OutputFailedException extends PandoException {
    private static final long serialVersionUID = 1L;

    /** The {@code error} value printed for this exception. */
    static final String KIND = "OutputFailed";

    OutputFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
