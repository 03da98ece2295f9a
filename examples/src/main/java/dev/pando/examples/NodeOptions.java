package dev.pando.examples;

import dev.pando.ConfigurationException;
import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.node.Node;
import dev.pando.node.ProviderRegistry;
import dev.pando.spi.ProviderOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The connectivity and storage options {@code pando node} and {@code pando chat} share. */
final class NodeOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--db", paramLabel = "FILE",
            description = "A SQLite database: operations persist across restarts (default: memory, nothing kept).")
    Path db;

    @Option(names = "--store", paramLabel = "NAME",
            description = "The store provider (default: sqlite with --db, else memory).")
    String store;

    @Option(names = "--store-option", paramLabel = "KEY=VALUE", description = "An option of the store provider (repeatable).")
    List<String> storeOptions;

    @Option(names = "--key-file", paramLabel = "FILE",
            description = "The node's key: a file holding the output of pando key generate (default: a fresh key).")
    Path key;

    @Option(names = "--bind", defaultValue = "0.0.0.0", paramLabel = "IP",
            description = "The IP address to listen on (default: ${DEFAULT-VALUE}, every interface).")
    String bind;

    @Option(names = "--port", defaultValue = "0", paramLabel = "N",
            description = "The UDP port to listen on (default: ${DEFAULT-VALUE}, a free one).")
    int port;

    @Option(names = "--peer", paramLabel = "ADDRESS", description = "A peer's address to contact (repeatable).")
    List<String> peers = new ArrayList<>();

    @Option(names = "--bootstrap",
            description = "Bootstrap mode: expect no peer at start and serve as the entry point others name.")
    boolean bootstrap;

    @Option(names = "--relay", paramLabel = "URL", description = "A relay to reach peers behind NAT through.")
    String relay;

    @Option(names = "--bootstrap-peer", paramLabel = "NODE_ID",
            description = "A bootstrap node reached by node id through --relay (repeatable).")
    List<String> bootstrapPeers = new ArrayList<>();

    @Option(names = "--mdns", description = "Find and announce nodes on the local network with mDNS.")
    boolean mdns;

    @Option(names = "--network", defaultValue = TransportOptions.DEFAULT_NETWORK, paramLabel = "NAME",
            description = "The network: its id is BLAKE3 of the name (default: ${DEFAULT-VALUE}).")
    String network;

    @Option(names = "--transport", paramLabel = "NAME",
            description = "A transport provider (repeatable; default: " + TransportOptions.DEFAULT_TRANSPORT + ").")
    List<String> transports = new ArrayList<>();

    @Option(names = "--gossip", paramLabel = "NAME",
            description = "The gossip provider (default: plumtree if it is on the module path).")
    String gossip;

    /**
     * A node builder configured from these options, selecting providers from {@code registry}.
     *
     * @throws ParameterException for flags this build cannot honour
     * @throws InvalidInputException for values that are wrong
     */
    Node.Builder builder(ProviderRegistry registry, PrivateKey identity) {
        if (relay != null || !bootstrapPeers.isEmpty()) {
            throw new ParameterException(mixee.commandLine(),
                    "--relay and --bootstrap-peer need the relay transport, which this build does not have yet");
        }
        if (network.isEmpty()) {
            throw new InvalidInputException("--network must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new InvalidInputException("--port must be 0 to 65535, got " + port);
        }
        InetAddress address;
        try {
            if (!bind.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                throw new UnknownHostException(bind);
            }
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new InvalidInputException("--bind must be an IP address literal, got \"" + bind + "\"");
        }
        Node.Builder b = Node.builder().providers(registry)
                .networkId(NetworkId.named(network))
                .privateKey(identity)
                .bind(new InetSocketAddress(address, port));
        String storeName = store != null ? store : db != null ? "sqlite" : "memory";
        Map<String, String> storeOpts = new LinkedHashMap<>(
                OptionValues.providerOptions(storeOptions, "--store-option", mixee.commandLine()));
        if (db != null) {
            storeOpts.put("path", db.toString());
        }
        b.store(storeName, ProviderOptions.of(storeOpts));
        for (String t : transports) {
            b.transport(t);
        }
        if (gossip != null) {
            b.gossip(gossip);
        }
        if (mdns) {
            b.discovery("mdns");
        }
        if (bootstrap) {
            b.bootstrap();
        }
        for (String p : peers) {
            try {
                b.peer(NodeAddress.parse(p));
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("--peer " + p + ": " + e.getMessage(), e);
            }
        }
        return b;
    }

    /** The key from --key-file, else a fresh one. */
    PrivateKey identity() {
        return key == null ? PrivateKey.generate() : KeyFile.read(key);
    }

    /** Builds the node, turning configuration errors into input errors (exit 1 with a clear message). */
    static Node build(Node.Builder builder) {
        try {
            return builder.build();
        } catch (ConfigurationException | IllegalArgumentException e) {
            throw new InvalidInputException(e.getMessage(), e);
        }
    }
}
