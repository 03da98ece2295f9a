package dev.pando.examples;

import dev.pando.PrivateKey;
import dev.pando.spi.Transport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pando net listen}: starts a transport, answers {@code pando/ping/1}, prints one JSON line
 * with the node's id and address as soon as it listens, runs until stdin ends (unless
 * {@code --until-signal}) or the process gets SIGINT/SIGTERM, then prints a second JSON line with
 * what it served.
 */
@Command(name = "listen", mixinStandardHelpOptions = true, sortOptions = false, sortSynopsis = false,
        description = {"Listens on a transport and answers pando/ping/1. Prints one JSON line when listening: "
                + "{\"listening\": true, \"node_id\", \"address\" (give it to pando net ping), \"transport\", \"network\", "
                + "\"network_id\", \"protocol\"}. Runs until stdin ends (unless --until-signal) or SIGINT/SIGTERM, "
                + "then prints {\"stopped\": reason, \"connections\", \"pings\", \"bytes\", \"errors\": {kind: count}}.",
                "A peer that sends garbage or stalls past --stream-timeout is dropped and counted; serving goes on.",
                "DURATION: a positive number with ms, s or m (500ms, 5s, 2m), or ISO-8601 (PT1M30S)."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  pando net listen                     stops at Ctrl-D (end of stdin) or Ctrl-C",
            "  pando net listen --until-signal > listen.jsonl &        (stop it: kill %%1)",
            "  pando net listen --key-file me.json --bind 0.0.0.0:4433"})
final class NetListen implements Callable<Integer> {
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(20);

    @Spec
    CommandSpec spec;

    // --ignore-stdin: the first name of this option, kept as a harmless alias
    @Option(names = {"--until-signal", "--ignore-stdin"},
            description = "Do not read stdin; stop on SIGINT/SIGTERM only. Needed in the background "
                    + "(there stdin is /dev/null, which ends at once, or the terminal, which stops a reading job).")
    boolean untilSignal;

    @Option(names = "--stream-timeout", defaultValue = "10s", paramLabel = "DURATION",
            converter = OptionValues.PositiveDuration.class,
            description = "A ping stream that makes no progress for this long is dropped (default: ${DEFAULT-VALUE}).")
    Duration streamTimeout;

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "The node's key: a file holding the output of pando key generate (default: a fresh key).")
    Path key;

    @Option(names = "--bind", defaultValue = "127.0.0.1:0", paramLabel = "IP:PORT",
            description = "The UDP address to listen on, an IP literal (default: ${DEFAULT-VALUE}, a free port on loopback).")
    String bind;

    @Mixin
    TransportOptions transport;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrivateKey identity = key == null ? PrivateKey.generate() : KeyFile.read(key);
        Transport t = transport.create(identity, java.util.Map.of(
                "bind", bind,
                "stream_timeout", streamTimeout.toMillis() + "ms"));

        // SIGINT/SIGTERM stop it too, and the JVM's exit waits until the summary is printed
        Pando root = (Pando) spec.root().userObject();
        StopSignal signal = StopSignal.install(root, "listen");
        try {
            PingServer server = new PingServer(t, streamTimeout);
            try (server) {
                server.start();
                try (JsonOut json = JsonOut.object(out)) {
                    json.bool("listening", true)
                            .string("node_id", identity.publicKey().hex())
                            .string("address", t.localAddress().toText())
                            .string("transport", transport.transport)
                            .string("network", transport.network)
                            .string("network_id", transport.networkId().hex())
                            .string("protocol", PingProtocol.NAME);
                }
                if (!untilSignal) {
                    signal.watchStdin(root.stdin(), spec.commandLine().getErr(), "pando net listen: stdin ended, so it "
                            + "stops; --until-signal keeps it listening without stdin (e.g. in the background) until "
                            + "SIGINT/SIGTERM", "listen");
                }
                signal.await();
            }
            try (JsonOut json = JsonOut.object(out)) {
                json.string("stopped", signal.reason())
                        .number("connections", server.connections())
                        .number("pings", server.pings())
                        .number("bytes", server.bytes())
                        .counts("errors", server.errors());
            }
            return Pando.EXIT_OK;
        } finally {
            signal.finish();
        }
    }
}
