package dev.pando.examples;

import dev.pando.DeadlineExceededException;
import dev.pando.NodeAddress;
import dev.pando.PandoException;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.Transport;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pando net ping ADDRESS}: dials a node for {@code pando/ping/1}, sends {@code --count}
 * pings one after another (a stream each), and prints the proven remote node id, the time to
 * connect and every round trip.
 */
@Command(name = "ping", mixinStandardHelpOptions = true, sortOptions = false, sortSynopsis = false,
        description = {"Dials ADDRESS (<node id hex>@<ip:port>[,<ip:port>…], as printed by pando net listen) for "
                + "pando/ping/1 and sends --count pings, one stream each. Prints {\"remote_node_id\" (proven by the "
                + "handshake), \"address\", \"transport\", \"network\", \"size\", \"count\", \"handshake_ms\", \"rtt_ms\": [...], "
                + "\"min_ms\", \"median_ms\", \"max_ms\"}.",
                "Fails (exit 1) with ProtocolViolation (another node id answered, a node of another network, or a bad "
                        + "reply), DeadlineExceeded (no answer in time: nobody listening) or ConnectionClosed.",
                "DURATION: a positive number with ms, s or m (500ms, 5s, 2m), or ISO-8601 (PT1M30S)."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  pando net ping '<the address pando net listen printed>'",
            "  pando net ping '<address>' --count 100 --size 1024 --timeout 2s",
            "  pando net ping '<address>' --key-file me.json --transport quic"})
final class NetPing implements Callable<Integer> {
    private static final SecureRandom RANDOM = new SecureRandom();
    static final int MAX_COUNT = 100_000;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "ADDRESS", description = "The node to ping: <node id hex>@<ip:port>[,…].")
    String address;

    @Option(names = "--count", defaultValue = "3", paramLabel = "N",
            description = "Pings to send, 1 to " + MAX_COUNT + " (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--size", defaultValue = "32", paramLabel = "BYTES",
            description = "Random payload bytes per ping, 0 to " + PingProtocol.MAX_PAYLOAD + " (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--timeout", defaultValue = "10s", paramLabel = "DURATION",
            converter = OptionValues.PositiveDuration.class,
            description = "Deadline of the connection handshake and of each read and write (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "This node's key: a file holding the output of pando key generate (default: a fresh key).")
    Path key;

    @Option(names = "--bind", paramLabel = "IP:PORT",
            description = "The local UDP address (default: 127.0.0.1:0 or [::1]:0 to reach a loopback address, "
                    + "else 0.0.0.0:0 or [::]:0).")
    String bind;

    @Mixin
    TransportOptions transport;

    @Override
    public Integer call() {
        OptionValues.checkRange(spec, "--count", count, 1, MAX_COUNT);
        OptionValues.checkRange(spec, "--size", size, 0, PingProtocol.MAX_PAYLOAD);
        NodeAddress remote;
        try {
            remote = NodeAddress.parse(address);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("ADDRESS: " + e.getMessage(), e);
        }
        PrivateKey identity = key == null ? PrivateKey.generate() : KeyFile.read(key);
        if (identity.publicKey().equals(remote.nodeId())) {
            throw new InvalidInputException("ADDRESS is this node's own id: use another --key");
        }
        String millis = timeout.toMillis() + "ms";
        try (Transport t = transport.create(identity, java.util.Map.of(
                "bind", bind != null ? bind : defaultBind(remote.directAddresses()),
                "handshake_timeout", millis,
                "stream_timeout", millis))) {
            if (!t.supports(remote)) {
                throw new InvalidInputException("the " + transport.transport + " transport cannot reach ADDRESS "
                        + remote.toText() + (remote.directAddresses().isEmpty()
                        ? " (it has no direct address: reach it through its relay with --transport relay "
                                + "--transport-option relay_url=URL)" : ""));
            }
            t.start();
            long start = System.nanoTime();
            Connection connection = await(t.dial(remote, PingProtocol.NAME), remote, true);
            double handshakeMs = (System.nanoTime() - start) / 1e6;
            try (connection) {
                List<Double> rtts = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    rtts.add(ping(connection, remote, i));
                }
                print(connection, handshakeMs, rtts);
            }
        }
        return Pando.EXIT_OK;
    }

    /** One ping on a fresh stream: request, half-close, read the reply to its end. Returns the RTT in ms. */
    private double ping(Connection connection, NodeAddress remote, long seq) {
        byte[] payload = new byte[size];
        RANDOM.nextBytes(payload);
        byte[] request = PingProtocol.message(PingProtocol.REQUEST, seq, payload);
        long start = System.nanoTime();
        try (DuplexStream stream = await(connection.openStream(), remote, false)) {
            stream.timeout(timeout);
            stream.write(request);
            stream.closeOutput();
            byte[] reply = PingProtocol.readMessage(stream);
            double rtt = (System.nanoTime() - start) / 1e6;
            PingProtocol.check(reply, PingProtocol.REPLY);
            if (!PingProtocol.echoes(reply, request)) {
                throw new ProtocolViolationException("node " + remote.nodeId().hex() + " answered ping " + seq
                        + " with another seq or payload");
            }
            return rtt;
        }
    }

    private void print(Connection connection, double handshakeMs, List<Double> rtts) {
        List<Double> sorted = rtts.stream().sorted().toList();
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        try (JsonOut json = JsonOut.object(spec.commandLine().getOut())) {
            json.string("remote_node_id", connection.remoteNodeId().hex())
                    .string("address", address)
                    .string("transport", transport.transport)
                    .string("network", transport.network)
                    .number("size", size)
                    .number("count", n)
                    .decimal("handshake_ms", handshakeMs, 3)
                    .decimals("rtt_ms", rtts, 3)
                    .decimal("min_ms", sorted.get(0), 3)
                    .decimal("median_ms", median, 3)
                    .decimal("max_ms", sorted.get(n - 1), 3);
        }
    }

    /**
     * Waits for a transport future. The transport enforces its own deadlines; this bound (twice the
     * timeout plus 5 s) only keeps a misbehaving provider from hanging the command.
     */
    private <T> T await(CompletableFuture<T> future, NodeAddress remote, boolean dialing) {
        try {
            return future.get(timeout.toMillis() * 2 + 5_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            if (dialing) {
                throw noAnswer(remote, e);
            }
            throw new DeadlineExceededException("node " + remote.nodeId().hex() + " did not allow a stream in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeadlineExceededException("interrupted while waiting for " + remote.nodeId().hex(), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            if (dialing && cause instanceof DeadlineExceededException d) {
                throw noAnswer(remote, d);
            }
            if (cause instanceof PandoException p) {
                throw p;
            }
            if (cause instanceof IllegalArgumentException) {
                throw new InvalidInputException("cannot dial ADDRESS: " + cause.getMessage(), cause);
            }
            throw new PandoException("dialing " + remote.nodeId().hex() + " failed: " + cause, cause);
        }
    }

    private DeadlineExceededException noAnswer(NodeAddress remote, Exception cause) {
        // the transport's own message (the cause, shown with --verbose) says the same in its words
        return new DeadlineExceededException("no answer from " + address + " within " + timeout.toMillis()
                + " ms: nobody is listening there, it is unreachable, or it is a node of another network than "
                + transport.network, cause);
    }

    /**
     * A local socket that can reach every address of the target: loopback of the family when all
     * are loopback of one family, the wildcard of the family when all are of one family, else the
     * dual-stack IPv6 wildcard.
     */
    static String defaultBind(List<InetSocketAddress> targets) {
        boolean anyV6 = targets.stream().anyMatch(t -> t.getAddress() instanceof Inet6Address);
        boolean anyV4 = targets.stream().anyMatch(t -> !(t.getAddress() instanceof Inet6Address));
        boolean allLoopback = targets.stream().allMatch(t -> t.getAddress().isLoopbackAddress());
        if (anyV6 && anyV4) {
            return "[::]:0";
        }
        if (allLoopback) {
            return anyV6 ? "[::1]:0" : "127.0.0.1:0";
        }
        return anyV6 ? "[::]:0" : "0.0.0.0:0";
    }
}
