package dev.pando.examples;

import dev.pando.transport.relay.RelayMetrics;
import dev.pando.transport.relay.RelayServer;
import dev.pando.transport.relay.RelayServerConfig;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code pando relay}: runs a relay server, prints one JSON line with its URL as soon as it
 * listens, runs until stdin ends (unless {@code --until-signal}) or the process gets
 * SIGINT/SIGTERM, then prints a second JSON line with what it forwarded.
 */
@Command(name = "relay", mixinStandardHelpOptions = true, sortOptions = false, sortSynopsis = false,
        description = {"Runs a relay: nodes connect to it (transport \"relay\", option relay_url), prove their node id, "
                + "and reach each other by node id through it; their traffic is QUIC, encrypted end to end, so the relay "
                + "sees node ids and sizes only.",
                "Prints one JSON line when listening: {\"relay\": URL (the relay_url nodes use), \"bind\", \"tls\", "
                + "\"health\", \"metrics\"}. Runs until stdin ends (unless --until-signal) or SIGINT/SIGTERM, then prints "
                + "{\"stopped\": reason, \"clients\", \"connections\", \"packets_forwarded\", \"bytes_forwarded\", "
                + "\"drops\": {reason: count}, \"closes\": {reason: count}}."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  pando relay --port 0                       a free port on loopback; stops at Ctrl-D or Ctrl-C",
            "  pando relay --bind 0.0.0.0 --port 3340 --metrics --until-signal &",
            "  pando relay --bind 0.0.0.0 --port 443 --tls-cert fullchain.pem --tls-key key.pem"})
final class RelayCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "3340", paramLabel = "N",
            description = "The TCP port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "IP",
            description = "The IP address to listen on, a literal (default: ${DEFAULT-VALUE}; 0.0.0.0 serves other machines).")
    String bind;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Serve TLS (https relay URL) with this PEM certificate chain; needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The PEM (PKCS#8) private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--metrics", description = "Answer GET /metrics with Prometheus text (GET /health always answers).")
    boolean metrics;

    @Option(names = "--io-threads", defaultValue = "1", paramLabel = "N",
            description = "Event loop threads for client connections (default: ${DEFAULT-VALUE}; more for many busy clients).")
    int ioThreads;

    @Option(names = "--until-signal",
            description = "Do not read stdin; stop on SIGINT/SIGTERM only (needed in the background).")
    boolean untilSignal;

    @Override
    public Integer call() {
        OptionValues.checkRange(spec, "--port", port, 0, 65535);
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
        }
        InetAddress ip;
        try {
            if (!bind.matches("[0-9a-fA-F:.]+")) {
                throw new UnknownHostException(bind);
            }
            ip = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new ParameterException(spec.commandLine(), "--bind must be an IP address literal, got \"" + bind + "\"");
        }
        OptionValues.checkRange(spec, "--io-threads", ioThreads, 1, 256);
        RelayServerConfig config = RelayServerConfig.defaults().withBind(new InetSocketAddress(ip, port)).withMetrics(metrics)
                .withIoThreads(ioThreads);
        if (tlsCert != null) {
            config = config.withTls(new RelayServerConfig.Tls(tlsCert, tlsKey));
        }

        PrintWriter out = spec.commandLine().getOut();
        Pando root = (Pando) spec.root().userObject();
        StopSignal signal = StopSignal.install(root, "relay");
        try {
            RelayMetrics last;
            try (RelayServer server = RelayServer.create(config)) {
                server.start();
                String url = server.url().toString();
                InetSocketAddress bound = server.boundAddress();
                try (JsonOut json = JsonOut.object(out)) {
                    json.string("relay", url)
                            .string("bind", (bound.getAddress() instanceof java.net.Inet6Address
                                    ? "[" + bound.getAddress().getHostAddress() + "]" : bound.getAddress().getHostAddress()) + ":" + bound.getPort())
                            .bool("tls", tlsCert != null)
                            .string("health", url + "health")
                            .string("metrics", metrics ? url + "metrics" : null);
                }
                if (!untilSignal) {
                    signal.watchStdin(root.stdin(), spec.commandLine().getErr(), "pando relay: stdin ended, so it stops; "
                            + "--until-signal keeps it running without stdin (e.g. in the background) until SIGINT/SIGTERM",
                            "relay");
                }
                signal.await();
                last = server.metrics();
            }
            Map<String, Long> drops = new LinkedHashMap<>();
            last.drops().forEach((k, v) -> drops.put(k.name().toLowerCase(java.util.Locale.ROOT), v));
            Map<String, Long> closes = new LinkedHashMap<>();
            last.closes().forEach((k, v) -> closes.put(k.name().toLowerCase(java.util.Locale.ROOT), v));
            try (JsonOut json = JsonOut.object(out)) {
                json.string("stopped", signal.reason())
                        .number("clients", last.clients())
                        .number("connections", last.connections())
                        .number("packets_forwarded", last.packetsForwarded())
                        .number("bytes_forwarded", last.bytesForwarded())
                        .counts("drops", drops)
                        .counts("closes", closes);
            }
            return Pando.EXIT_OK;
        } finally {
            signal.finish();
        }
    }
}
