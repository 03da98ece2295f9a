package dev.pando.examples;

import dev.pando.ConfigurationException;
import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.InvalidOperationException;
import dev.pando.ProtocolViolationException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
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
 *   <li>{@link OutputFailedException} (stdout cannot be written): {@code {"error": "OutputFailed", "message": …}}
 *       on stderr, exit 1;</li>
 *   <li>anything else is a bug: {@code {"error": "Internal", "message": …}}, exit 1.</li>
 * </ul>
 * If stdout fails while the error itself is printed, the error goes to stderr instead.
 */
final class ErrorPrinter implements IParameterExceptionHandler, IExecutionExceptionHandler {
    /** Options whose values are secrets and must never appear in a message. */
    private static final String[] SECRET_OPTIONS = {"--key-hex", "--key"};
    static final String REDACTED = "<redacted>";

    private final String[] args;

    /** @param args the command line, whose secrets no message may repeat */
    ErrorPrinter(String[] args) {
        this.args = args.clone();
    }

    @Override
    public int handleParseException(ParameterException ex, String[] unused) {
        CommandLine cmd = ex.getCommandLine();
        String message = redact(ex.getMessage(), args);
        if (message.startsWith("Error: ")) {
            message = message.substring("Error: ".length()); // picocli's prefix for argument-group errors
        }
        if (givesRemovedKeyOption(args)) {
            // --key once meant hex in op create and a file in net: the easy mix-up leaked keys
            message = "--key is no longer an option: give --key-file FILE (a file holding the output of "
                    + "pando key generate) or, to op create, --key-hex HEX";
        }
        String usageMessage = message;
        print(cmd, json -> json.string("error", "Usage").string("message", usageMessage));
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
            StringWriter trace = new StringWriter();
            ex.printStackTrace(new PrintWriter(trace));
            cmd.getErr().print(redact(trace.toString(), args));
            cmd.getErr().flush();
        }
        if (ex instanceof OutputFailedException e) {
            printOutputFailure(e, cmd.getErr());
            return Pando.EXIT_INVALID;
        }
        String message = redact(ex.getMessage(), args);
        print(cmd, json -> {
            if (ex instanceof InvalidOperationException e) {
                json.bool("valid", false).string("error", e.kind().wireName()).string("message", message);
            } else if (ex instanceof InvalidInputException) {
                json.string("error", InvalidInputException.KIND).string("message", message);
            } else if (StoreCommand.errorKind(ex) != null) {
                json.string("error", StoreCommand.errorKind(ex)).string("message", message);
            } else if (networkKind(ex) != null) {
                json.string("error", networkKind(ex)).string("message", message);
            } else {
                // a bug, not bad input; the class name helps a bug report, the stack trace is behind --verbose
                json.string("error", "Internal").string("message",
                        ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": " + message));
            }
        });
        return Pando.EXIT_INVALID;
    }

    /** Prints an error object on stdout, or on stderr if stdout cannot be written. */
    private static void print(CommandLine cmd, Consumer<JsonOut> fields) {
        try (JsonOut json = JsonOut.object(cmd.getOut())) {
            fields.accept(json);
        } catch (OutputFailedException e) {
            try (JsonOut json = JsonOut.object(cmd.getErr())) {
                fields.accept(json);
            }
        }
    }

    /** Reports on stderr that stdout could not be written (stdout is no use for that). */
    static void printOutputFailure(OutputFailedException e, PrintWriter err) {
        try (JsonOut json = JsonOut.object(err)) {
            json.string("error", OutputFailedException.KIND).string("message", e.getMessage());
        }
    }

    private static boolean givesRemovedKeyOption(String[] args) {
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.equals("--key") || arg.startsWith("--key=")) {
                return true;
            }
        }
        return false;
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
     * Removes secrets from a message: the values of {@link #SECRET_OPTIONS}, and any argument (or
     * option value) that looks like a key ({@link OptionValues#looksLikeKey}) wherever it was given
     * — say, a private key passed to {@code --key-file} or as a stray argument. picocli quotes
     * arguments it could not place, and other messages may quote a value; a private key must never
     * be echoed. Values shorter than 8 characters are left alone: they are no key, and replacing
     * them would garble the message.
     */
    static String redact(String message, String[] args) {
        if (message == null) {
            return "";
        }
        String result = message;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            List<String> secrets = new ArrayList<>();
            for (String option : SECRET_OPTIONS) {
                if (arg.equals(option) && i + 1 < args.length) {
                    secrets.add(args[i + 1]);
                } else if (arg.startsWith(option + "=")) {
                    secrets.add(arg.substring(option.length() + 1));
                }
            }
            int eq = arg.indexOf('=');
            if (OptionValues.looksLikeKey(arg)) {
                secrets.add(arg);
            } else if (arg.startsWith("-") && eq > 0 && OptionValues.looksLikeKey(arg.substring(eq + 1))) {
                secrets.add(arg.substring(eq + 1));
            }
            for (String secret : secrets) {
                if (secret.length() >= 8) {
                    result = result.replace(secret, REDACTED);
                }
            }
        }
        return result;
    }
}
