package dev.pando.examples;

import dev.pando.node.ProviderRegistry;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The {@code pando} command line. Each command prints exactly one JSON object on stdout (the
 * long-running {@code net listen}: one when it listens, one when it stops) and exits with 0
 * (success), 1 (invalid input: the command line parsed but its content is invalid; a network
 * operation failed; or stdout could not be written) or 2 (usage error). {@code --help} and {@code --version} print text. See examples/README.md for the
 * contract of every command.
 *
 * <p>New commands are picocli subcommands in their own classes, registered in the
 * {@code subcommands} list below (or under {@link KeyCommand} / {@link OpCommand}); they print
 * their result through {@link JsonOut} and report bad input by throwing
 * {@link dev.pando.InvalidOperationException} or {@link InvalidInputException}, which
 * {@link ErrorPrinter} turns into the error JSON and the exit code.
 */
@Command(name = "pando",
        mixinStandardHelpOptions = true,
        versionProvider = Pando.Version.class,
        description = "Tools for Pando (p2panda-compatible) keys, operations, stores and networking. Every command prints one JSON object "
                + "(net listen: one when listening, one when stopped).",
        subcommands = {KeyCommand.class, OpCommand.class, StoreCommand.class, NetCommand.class, NodeCommand.class, ChatCommand.class,
            RelayCommand.class, ProvidersCommand.class,
            CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:invalid input (bad hex, invalid operation) or a failed network operation: {\"error\": KIND, \"message\": …}; "
                    + "or stdout could not be written: {\"error\": \"OutputFailed\", …} on stderr",
            "2:usage error: {\"error\": \"Usage\", \"message\": …}"})
public final class Pando {
    static final int EXIT_OK = 0;
    static final int EXIT_INVALID = 1;
    static final int EXIT_USAGE = 2;
    private static final String KWIK_NO_WARNINGS = "tech.kwik.core.no-security-warnings";

    // inherited, so that `pando op inspect … --verbose` works as well as `pando --verbose op …`;
    // ErrorPrinter reads it from the parse result of whichever command it was given to
    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "On an error, also print its stack trace to stderr.")
    boolean verbose;

    private final InputStream stdin;
    private final ShutdownHooks shutdownHooks;
    private final Supplier<ProviderRegistry> registries;

    Pando(InputStream stdin, ShutdownHooks shutdownHooks, Supplier<ProviderRegistry> registries) {
        this.stdin = stdin;
        this.shutdownHooks = shutdownHooks;
        this.registries = registries;
    }

    /** Runs the command line and exits the JVM with its exit code. */
    public static void main(String[] args) {
        // kwik (transport "quic") would print a warning to stdout on every dial, breaking the
        // one-JSON-object output; Pando checks the node certificate itself (transport-quic/README.md)
        if (System.getProperty(KWIK_NO_WARNINGS) == null) {
            System.setProperty(KWIK_NO_WARNINGS, "true");
        }
        // stdout's file descriptor, not System.out: a PrintStream swallows write errors (a full
        // disk, a closed pipe), and StdoutWriter must see them to fail the command
        Writer out = new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8);
        Writer err = new OutputStreamWriter(System.err, StandardCharsets.UTF_8);
        System.exit(run(args, System.in, out, err));
    }

    /**
     * Runs one command with the given streams and returns its exit code; never exits the JVM. A
     * failed write to {@code out} ends the command with exit code 1 and an {@code OutputFailed}
     * error on {@code err}.
     */
    static int run(String[] args, InputStream in, Writer out, Writer err) {
        return run(args, in, ShutdownHooks.JVM, out, err);
    }

    /**
     * {@link #run(String[], InputStream, Writer, Writer)} with the given stand-in for signals; the
     * registry comes from {@link PluginModules#registry()} (the module path, after the launcher's
     * plug-ins are checked for taken module names).
     */
    static int run(String[] args, InputStream in, ShutdownHooks shutdownHooks, Writer out, Writer err) {
        return run(args, in, shutdownHooks, PluginModules::registry, out, err);
    }

    /**
     * {@link #run(String[], InputStream, ShutdownHooks, Writer, Writer)} with the given source of
     * the provider registry (by default {@link ProviderRegistry#load()}: what is on the module path).
     */
    static int run(String[] args, InputStream in, ShutdownHooks shutdownHooks, Supplier<ProviderRegistry> registries,
            Writer out, Writer err) {
        StdoutWriter stdout = new StdoutWriter(out);
        PrintWriter printOut = new PrintWriter(stdout, true);
        PrintWriter printErr = new PrintWriter(err, true);
        ErrorPrinter errors = new ErrorPrinter(args);
        CommandLine cmd = new CommandLine(new Pando(in, shutdownHooks, registries))
                .setOut(printOut)
                .setErr(printErr)
                .setParameterExceptionHandler(errors)
                .setExecutionExceptionHandler(errors)
                .setExecutionStrategy(Pando::execute);
        int code;
        try {
            code = cmd.execute(args);
            if (!stdout.failed()) {
                printOut.flush();
            }
        } catch (OutputFailedException e) {
            // outside any command's handler, e.g. --help into a full disk, or the last flush
            ErrorPrinter.printOutputFailure(e, printErr);
            return EXIT_INVALID;
        } finally {
            printErr.flush();
        }
        if (stdout.failed() && code == EXIT_OK) {
            // never report success for output that was lost
            ErrorPrinter.printOutputFailure(new OutputFailedException("cannot write to stdout", null), printErr);
            return EXIT_INVALID;
        }
        return code;
    }

    /**
     * picocli's {@code RunLast}, except that a command group given no command ({@code pando},
     * {@code pando op}) prints its help, listing its commands, and exits 0; and that a failed write
     * of help text is reported like any other failed output.
     */
    private static int execute(ParseResult parseResult) {
        ParseResult last = parseResult;
        while (last.hasSubcommand()) {
            last = last.subcommand();
        }
        CommandLine cmd = last.commandSpec().commandLine();
        try {
            Integer help = CommandLine.executeHelpRequest(parseResult);
            if (help != null) {
                return help;
            }
            Object command = cmd.getCommand();
            if (!(command instanceof Runnable) && !(command instanceof Callable) && !cmd.getSubcommands().isEmpty()) {
                cmd.usage(cmd.getOut());
                return EXIT_OK;
            }
        } catch (OutputFailedException e) {
            ErrorPrinter.printOutputFailure(e, cmd.getErr());
            return EXIT_INVALID;
        }
        return new CommandLine.RunLast().execute(parseResult);
    }

    /** The standard input, for commands that read {@code -} from it. */
    InputStream stdin() {
        return stdin;
    }

    /**
     * The providers on the module path, found by the node's {@link ProviderRegistry} (a fresh
     * registry per call).
     *
     * @throws dev.pando.ConfigurationException if two providers of one kind share a name (naming
     *     both, with their modules) or a provider cannot be loaded
     */
    ProviderRegistry registry() {
        return registries.get();
    }

    /** Where SIGINT/SIGTERM are heard, for long-running commands. */
    ShutdownHooks shutdownHooks() {
        return shutdownHooks;
    }

    /** Reads the version Maven wrote into version.properties. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties p = new Properties();
            try (InputStream in = Pando.class.getResourceAsStream("version.properties")) {
                if (in == null) {
                    throw new IllegalStateException("version.properties is missing from the jar");
                }
                p.load(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new String[] {"pando " + p.getProperty("version", "unknown")};
        }
    }
}
