package dev.pando.examples;

import dev.pando.ConfigurationException;
import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.InvalidOperationException;
import dev.pando.ProtocolViolationException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns every failure into the error JSON on stdout and an exit code, so that no command prints a
 * stack trace unless {@code --verbose} asks for one:
 * <ul>
 *   <li>usage errors (picocli's, or a {@link ParameterException} thrown by a command):
 *       {@code {"error": "Usage", "message": …}}, the usage hint on stderr, exit 2;</li>
 *   <li>{@link InvalidOperationException}: {@code {"valid": false, "error": <wire name>, "message": …}},
 *       exit 1;</li>
 *   <li>{@link InvalidInputException}: {@code {"error": "InvalidInput", "message": …}}, exit 1;</li>
 *   <li>a failed store ({@code StoreBusy}, {@code StoreReadOnly}, … by its reason) or a store command
 *       that ran out of memory ({@code ResourceExhausted}): see {@link StoreCommand#errorKind}, exit 1;</li>
 *   <li>a failed network operation or setup, by its {@link dev.pando.PandoException} subtype:
 *       {@code {"error": "ProtocolViolation" | "DeadlineExceeded" | "ConnectionClosed" | "Configuration", "message": …}},
 *       exit 1;</li>
 *   <li>anything else is a bug: {@code {"error": "Internal", "message": …}}, exit 1.</li>
 * </ul>
 */
final class ErrorPrinter implements IParameterExceptionHandler, IExecutionExceptionHandler {
    /** Options whose values are secrets and must never appear in a message. */
    private static final String[] SECRET_OPTIONS = {"--key"};
    static final String REDACTED = "<redacted>";

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        String message = redact(ex.getMessage(), args);
        if (message.startsWith("Error: ")) {
            message = message.substring("Error: ".length()); // picocli's prefix for argument-group errors
        }
        try (JsonOut json = JsonOut.object(cmd.getOut())) {
            json.string("error", "Usage").string("message", message);
        }
        PrintWriter err = cmd.getErr();
        err.println(message);
        if (!UnmatchedArgumentException.printSuggestions(ex, err)) {
            err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        }
        err.flush();
        return Pando.EXIT_USAGE;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        if (verbose(parseResult)) {
            ex.printStackTrace(cmd.getErr());
            cmd.getErr().flush();
        }
        try (JsonOut json = JsonOut.object(cmd.getOut())) {
            if (ex instanceof InvalidOperationException e) {
                json.bool("valid", false).string("error", e.kind().wireName()).string("message", e.getMessage());
            } else if (ex instanceof InvalidInputException) {
                json.string("error", InvalidInputException.KIND).string("message", ex.getMessage());
            } else if (StoreCommand.errorKind(ex) != null) {
                json.string("error", StoreCommand.errorKind(ex)).string("message", ex.getMessage());
            } else if (networkKind(ex) != null) {
                json.string("error", networkKind(ex)).string("message", ex.getMessage());
            } else {
                // a bug, not bad input; the class name helps a bug report, the stack trace is behind --verbose
                json.string("error", "Internal").string("message",
                        ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + ex.getMessage()));
            }
        }
        return Pando.EXIT_INVALID;
    }

    /** The error name of a failed network operation or setup, or null for anything else. */
    static String networkKind(Exception ex) {
        if (ex instanceof ProtocolViolationException) {
            return "ProtocolViolation";
        } else if (ex instanceof DeadlineExceededException) {
            return "DeadlineExceeded";
        } else if (ex instanceof ConnectionClosedException) {
            return "ConnectionClosed";
        } else if (ex instanceof ConfigurationException) {
            return "Configuration";
        }
        return null;
    }

    /** Whether {@code --verbose} was given to any command on the path (it is an inherited option). */
    static boolean verbose(ParseResult parseResult) {
        for (ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
            if (pr.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Removes the values of secret options from a message. picocli quotes arguments it could not
     * place (say, a key after an option that wanted a value), and a private key must never be echoed.
     */
    static String redact(String message, String[] args) {
        if (message == null) {
            return "";
        }
        String result = message;
        for (int i = 0; i < args.length; i++) {
            for (String option : SECRET_OPTIONS) {
                String secret = null;
                if (args[i].equals(option) && i + 1 < args.length && !args[i + 1].startsWith("-")) {
                    secret = args[i + 1];
                } else if (args[i].startsWith(option + "=")) {
                    secret = args[i].substring(option.length() + 1);
                }
                if (secret != null && !secret.isEmpty()) {
                    result = result.replace(secret, REDACTED);
                }
            }
        }
        return result;
    }
}
