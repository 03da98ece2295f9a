package dev.pando.examples;

import dev.pando.ConfigurationException;
import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.node.ProviderRegistry;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportProvider;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The options every {@code pando net} command shares: which transport, and which network. */
final class TransportOptions {
    /** The transport the examples use unless told otherwise (issue 4: no stalls in 20 benchmark runs). */
    static final String DEFAULT_TRANSPORT = "quic-netty";
    /** The network name used unless told otherwise: BLAKE3("p2panda") is {@link NetworkId#DEFAULT}. */
    static final String DEFAULT_NETWORK = "p2panda";

    @Option(names = "--transport", defaultValue = DEFAULT_TRANSPORT, paramLabel = "NAME",
            description = "The transport provider, found on the module path (default: ${DEFAULT-VALUE}; "
                    + "also: quic, the pure-Java kwik one, or a plug-in's: pando providers lists them).")
    String transport;

    @Option(names = "--network", defaultValue = DEFAULT_NETWORK, paramLabel = "NAME",
            description = "The network: its id is BLAKE3 of the name, and nodes of different networks never talk "
                    + "(default: ${DEFAULT-VALUE}, p2panda's default network id).")
    String network;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--transport-option", paramLabel = "KEY=VALUE",
            description = "An option of the transport provider (repeatable), e.g. idle_timeout=1m, max_connections=64; "
                    + "pando providers lists each provider's keys, an unknown key is an error listing them. "
                    + "bind and the timeouts come from --bind, --timeout, --stream-timeout.")
    List<String> transportOptions;

    NetworkId networkId() {
        if (network.isEmpty()) {
            throw new InvalidInputException("--network must not be empty");
        }
        return NetworkId.named(network);
    }

    /**
     * Creates (does not start) the named transport for this identity and network, through the
     * node's {@link ProviderRegistry} (the rules every Pando program selects providers by).
     *
     * @throws InvalidInputException for an unknown provider name (the message lists those found)
     *     or options the provider rejects (an unknown key or a bad value)
     * @throws ConfigurationException if two providers share a name (naming both)
     */
    Transport create(PrivateKey identity, Map<String, String> commandOptions) {
        Map<String, String> userOptions = OptionValues.providerOptions(transportOptions, "--transport-option", mixee.commandLine());
        ProviderRegistry registry = ((Pando) mixee.root().userObject()).registry();
        if (registry.findTransport(transport).isEmpty()) {
            throw new InvalidInputException("no transport provider named \"" + transport + "\"; found: "
                    + registry.transports().stream().map(TransportProvider::name).toList());
        }
        // the command's own settings (--bind, the timeouts) go only to a provider that takes them:
        // the relay transport binds no socket, so it has no bind
        java.util.Set<String> keys = registry.findTransport(transport).orElseThrow().optionKeys();
        Map<String, String> applicable = new java.util.TreeMap<>(commandOptions);
        applicable.keySet().retainAll(keys);
        ProviderOptions options = OptionValues.mergeProviderOptions(applicable, userOptions, "--transport-option",
                Map.of("bind", "--bind", "handshake_timeout", "--timeout",
                        "stream_timeout", mixee.name().equals("ping") ? "--timeout" : "--stream-timeout"));
        try {
            return registry.createTransport(transport, identity, networkId(), options, NodeServices.system());
        } catch (ConfigurationException e) {
            throw new InvalidInputException("the " + transport + " transport rejects its options: " + e.getMessage(), e);
        }
    }
}
