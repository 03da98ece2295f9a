package dev.pando.examples;

import dev.pando.ConfigurationException;
import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.node.Node;
import dev.pando.node.ProviderRegistry;
import dev.pando.spi.ProviderOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The connectivity and storage options {@code pando node} and {@code pando chat} share. */
final class NodeOptions {
    /** The transport that reaches nodes through --relay. */
    static final String RELAY_TRANSPORT = "relay";
    /** The discovery that --bootstrap-peer turns on (and --bootstrap, through Node.Builder.bootstrap()): bootstrap peers and peer exchange. */
    static final String BOOTSTRAP_DISCOVERY = "bootstrap";

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
            description = "Bootstrap mode: expect no peer at start and serve as the entry point others name "
                    + "(it answers their peer exchange: discovery \"bootstrap\").")
    boolean bootstrap;

    @Option(names = "--relay", paramLabel = "URL",
            description = "A relay (the URL pando relay printed): this node stays connected to it, and peers that "
                    + "cannot reach it directly (NAT) reach it through it; its address gains ;relay=URL.")
    String relay;

    @Option(names = "--bootstrap-peer", paramLabel = "NODE_ID",
            description = "A bootstrap node reached by node id through --relay (repeatable); the nodes it knows are "
                    + "learned from it by peer exchange (discovery \"bootstrap\").")
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
        if (!bootstrapPeers.isEmpty() && relay == null) {
            throw new ParameterException(mixee.commandLine(),
                    "--bootstrap-peer names a node by id only: it needs --relay, the relay both nodes use");
        }
        URI relayUrl = null;
        if (relay != null) {
            try {
                relayUrl = new URI(relay);
            } catch (URISyntaxException e) {
                throw new InvalidInputException("--relay must be a URL such as http://relay.example.org:3340/, got \"" + relay + "\"");
            }
            if (!("http".equals(relayUrl.getScheme()) || "https".equals(relayUrl.getScheme())) || relayUrl.getHost() == null) {
                throw new InvalidInputException("--relay must be an http:// or https:// URL with a host, got \"" + relay + "\"");
            }
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
        List<String> direct = transports.isEmpty() ? List.of(TransportOptions.DEFAULT_TRANSPORT) : transports;
        for (String t : direct) {
            b.transport(t);
        }
        if (relayUrl != null) {
            // tried 300 ms after a direct dial of an address that has both (NodeTransport)
            b.transport(RELAY_TRANSPORT, ProviderOptions.of("relay_url", relay));
            for (String id : bootstrapPeers) {
                PublicKey nodeId;
                try {
                    nodeId = PublicKey.fromHex(id);
                } catch (IllegalArgumentException e) {
                    throw new InvalidInputException("--bootstrap-peer must be a node id (64 hex characters), got \"" + id + "\"");
                }
                b.peer(new NodeAddress(nodeId, List.of(), Optional.of(relayUrl)));
            }
        }
        if (!bootstrapPeers.isEmpty()) {
            // peer exchange: ask the bootstrap peers for the nodes they know (signed records), so
            // that nodes meet beyond the bootstrap node (a bootstrap node itself gets the discovery
            // from Node.Builder.bootstrap(), below)
            List<String> entries = new ArrayList<>();
            for (String id : bootstrapPeers) {
                entries.add(new NodeAddress(PublicKey.fromHex(id), List.of(), Optional.of(relayUrl)).toText());
            }
            b.discovery(BOOTSTRAP_DISCOVERY, ProviderOptions.of("peers", String.join(" ", entries)));
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
