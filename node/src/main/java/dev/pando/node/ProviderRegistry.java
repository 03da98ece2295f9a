package dev.pando.node;

import dev.pando.ConfigurationException;
import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.spi.Discovery;
import dev.pando.spi.DiscoveryContext;
import dev.pando.spi.DiscoveryProvider;
import dev.pando.spi.Gossip;
import dev.pando.spi.GossipContext;
import dev.pando.spi.GossipProvider;
import dev.pando.spi.NodeServices;
import dev.pando.spi.PeerAffinity;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.spi.StoreProvider;
import dev.pando.spi.SyncContext;
import dev.pando.spi.SyncProtocol;
import dev.pando.spi.SyncProvider;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.spi.TransportProvider;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The providers a node can use, one per name, and the one place that turns a name and options into
 * a store, transport, sync protocol, gossip or discovery. Everything that selects providers (the node, the {@code pando} command
 * line) goes through it, so the rules are the same everywhere:
 * <ul>
 *   <li><b>Found</b> with {@link ServiceLoader} (this module declares {@code uses} for every
 *       provider SPI), plus any passed explicitly to the {@link Builder}; discovery can be turned
 *       off, so that tests use exactly the providers they pass.</li>
 *   <li><b>Names are identities</b>: two different provider classes with one name are a
 *       {@link ConfigurationException} when the registry is built, naming both classes and their
 *       modules, even if nobody asks for that name (a plug-in named {@code sqlite} must not replace
 *       the built-in store, or be replaced by it, depending on the module path's order). The same
 *       class found twice (passed explicitly and discovered) counts once.</li>
 *   <li><b>Options</b>: a key the provider does not declare in its {@code optionKeys()} is a
 *       {@link ConfigurationException} naming the provider, the unknown keys and the known ones,
 *       before the provider's {@code create} runs; the provider then checks the values.</li>
 * </ul>
 * Immutable and thread-safe once built.
 */
public final class ProviderRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ProviderRegistry.class);

    private final SortedMap<String, StoreProvider> stores;
    private final SortedMap<String, TransportProvider> transports;
    private final SortedMap<String, SyncProvider> syncs;
    private final SortedMap<String, GossipProvider> gossips;
    private final SortedMap<String, DiscoveryProvider> discoveries;

    private ProviderRegistry(SortedMap<String, StoreProvider> stores, SortedMap<String, TransportProvider> transports,
            SortedMap<String, SyncProvider> syncs, SortedMap<String, GossipProvider> gossips, SortedMap<String, DiscoveryProvider> discoveries) {
        this.stores = stores;
        this.transports = transports;
        this.syncs = syncs;
        this.gossips = gossips;
        this.discoveries = discoveries;
    }

    /**
     * Every provider visible to {@link ServiceLoader} (module path or class path).
     *
     * @throws ConfigurationException if two providers of one SPI share a name, or a provider
     *     cannot be loaded
     */
    public static ProviderRegistry load() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects providers; {@link #build()} checks the names. */
    public static final class Builder {
        private boolean discover = true;
        private final List<StoreProvider> stores = new ArrayList<>();
        private final List<TransportProvider> transports = new ArrayList<>();
        private final List<SyncProvider> syncs = new ArrayList<>();
        private final List<GossipProvider> gossips = new ArrayList<>();
        private final List<DiscoveryProvider> discoveries = new ArrayList<>();

        private Builder() {
        }

        /** Whether to add the providers {@link ServiceLoader} finds (default true). */
        public Builder discover(boolean discover) {
            this.discover = discover;
            return this;
        }

        /** Adds a store provider explicitly (e.g. a test's). */
        public Builder store(StoreProvider provider) {
            stores.add(Objects.requireNonNull(provider, "provider"));
            return this;
        }

        /** Adds a transport provider explicitly (e.g. a {@code MemoryNetwork}'s). */
        public Builder transport(TransportProvider provider) {
            transports.add(Objects.requireNonNull(provider, "provider"));
            return this;
        }

        /** Adds a sync provider explicitly. */
        public Builder sync(SyncProvider provider) {
            syncs.add(Objects.requireNonNull(provider, "provider"));
            return this;
        }

        /** Adds a gossip provider explicitly (e.g. a test's reference provider). */
        public Builder gossip(GossipProvider provider) {
            gossips.add(Objects.requireNonNull(provider, "provider"));
            return this;
        }

        /** Adds a discovery provider explicitly. */
        public Builder discovery(DiscoveryProvider provider) {
            discoveries.add(Objects.requireNonNull(provider, "provider"));
            return this;
        }

        /**
         * @throws ConfigurationException naming both providers (class and module) if two
         *     different providers of one SPI have the same name, or if a provider cannot be loaded
         */
        public ProviderRegistry build() {
            List<StoreProvider> allStores = new ArrayList<>(stores);
            List<TransportProvider> allTransports = new ArrayList<>(transports);
            List<SyncProvider> allSyncs = new ArrayList<>(syncs);
            List<GossipProvider> allGossips = new ArrayList<>(gossips);
            List<DiscoveryProvider> allDiscoveries = new ArrayList<>(discoveries);
            if (discover) {
                allStores.addAll(discovered(StoreProvider.class));
                allTransports.addAll(discovered(TransportProvider.class));
                allSyncs.addAll(discovered(SyncProvider.class));
                allGossips.addAll(discovered(GossipProvider.class));
                allDiscoveries.addAll(discovered(DiscoveryProvider.class));
            }
            return new ProviderRegistry(byName("store", allStores, StoreProvider::name),
                    byName("transport", allTransports, TransportProvider::name),
                    byName("sync", allSyncs, SyncProvider::name),
                    byName("gossip", allGossips, GossipProvider::name),
                    byName("discovery", allDiscoveries, DiscoveryProvider::name));
        }

        private static <P> List<P> discovered(Class<P> spi) {
            List<P> found = new ArrayList<>();
            try {
                // the caller's module must declare "uses": this one does, for every provider SPI
                ServiceLoader.load(spi).forEach(found::add);
            } catch (ServiceConfigurationError e) {
                throw new ConfigurationException("cannot load the " + spi.getSimpleName() + "s on the module path: " + e.getMessage(), e);
            }
            return found;
        }

        private static <P> SortedMap<String, P> byName(String kind, Collection<P> providers, Function<P, String> name) {
            SortedMap<String, P> named = new TreeMap<>();
            for (P p : providers) {
                String n = Objects.requireNonNull(name.apply(p), () -> "the name of " + describe(p));
                P other = named.putIfAbsent(n, p);
                if (other != null && other.getClass() != p.getClass()) {
                    throw new ConfigurationException("two " + kind + " providers are named \"" + n + "\": " + describe(other)
                            + " and " + describe(p) + "; a name must be unique (remove one of them)");
                }
            }
            return Collections.unmodifiableSortedMap(named);
        }
    }

    /** The store providers, by name. */
    public List<StoreProvider> stores() {
        return List.copyOf(stores.values());
    }

    /** The transport providers, by name. */
    public List<TransportProvider> transports() {
        return List.copyOf(transports.values());
    }

    /** The sync providers, by name. */
    public List<SyncProvider> syncs() {
        return List.copyOf(syncs.values());
    }

    /** The gossip providers, by name. */
    public List<GossipProvider> gossips() {
        return List.copyOf(gossips.values());
    }

    /** The discovery providers, by name. */
    public List<DiscoveryProvider> discoveries() {
        return List.copyOf(discoveries.values());
    }

    /** The sync provider with this name, if there is one. */
    public Optional<SyncProvider> findSync(String name) {
        return Optional.ofNullable(syncs.get(name));
    }

    /** The gossip provider with this name, if there is one. */
    public Optional<GossipProvider> findGossip(String name) {
        return Optional.ofNullable(gossips.get(name));
    }

    /** The discovery provider with this name, if there is one. */
    public Optional<DiscoveryProvider> findDiscovery(String name) {
        return Optional.ofNullable(discoveries.get(name));
    }

    /** The store provider with this name, if there is one. */
    public Optional<StoreProvider> findStore(String name) {
        return Optional.ofNullable(stores.get(name));
    }

    /** The transport provider with this name, if there is one. */
    public Optional<TransportProvider> findTransport(String name) {
        return Optional.ofNullable(transports.get(name));
    }

    /**
     * The store provider with this name.
     *
     * @throws ConfigurationException if there is none, listing the names there are
     */
    public StoreProvider store(String name) {
        return named("store", stores, name);
    }

    /**
     * The only store provider, for a node configured with no store name.
     *
     * @throws ConfigurationException if there are none or several, listing them
     */
    public StoreProvider store() {
        if (stores.size() != 1) {
            throw new ConfigurationException((stores.isEmpty() ? "no store provider found" : "several store providers found: "
                    + stores.keySet()) + "; name the one to use");
        }
        return stores.values().iterator().next();
    }

    /**
     * The transport provider with this name.
     *
     * @throws ConfigurationException if there is none, listing the names there are
     */
    public TransportProvider transport(String name) {
        return named("transport", transports, name);
    }

    /**
     * The sync provider with this name.
     *
     * @throws ConfigurationException if there is none, listing the names there are
     */
    public SyncProvider sync(String name) {
        return named("sync", syncs, name);
    }

    /**
     * The gossip provider with this name.
     *
     * @throws ConfigurationException if there is none, listing the names there are
     */
    public GossipProvider gossip(String name) {
        return named("gossip", gossips, name);
    }

    /**
     * The discovery provider with this name.
     *
     * @throws ConfigurationException if there is none, listing the names there are
     */
    public DiscoveryProvider discovery(String name) {
        return named("discovery", discoveries, name);
    }

    private static <P> P named(String kind, SortedMap<String, P> providers, String name) {
        P p = providers.get(name);
        if (p == null) {
            throw new ConfigurationException("no " + kind + " provider named \"" + name + "\"; found: " + providers.keySet());
        }
        return p;
    }

    /**
     * Makes a sync protocol with the named provider.
     *
     * @throws ConfigurationException for an unknown provider, an option key the provider does not
     *     declare, or options its {@code create} rejects
     */
    public SyncProtocol createSync(String name, ProviderOptions options, NodeServices services) {
        SyncProvider p = sync(name);
        checkOptionKeys("sync", p.name(), p, p.optionKeys(), options);
        LOG.debug("sync provider {}", describe(p));
        return p.create(new SyncContext(options, services));
    }

    /**
     * Makes (does not start) a gossip over {@code transport} with the named provider.
     *
     * @throws ConfigurationException for an unknown provider, an option key the provider does not
     *     declare, or options its {@code create} rejects
     */
    public Gossip createGossip(String name, PublicKey nodeId, NetworkId networkId, Transport transport, ProviderOptions options,
            NodeServices services) {
        GossipProvider p = gossip(name);
        checkOptionKeys("gossip", p.name(), p, p.optionKeys(), options);
        LOG.debug("gossip provider {}", describe(p));
        return p.create(new GossipContext(nodeId, networkId, transport, options, services));
    }

    /**
     * Makes (does not start) a discovery with the named provider.
     *
     * @throws ConfigurationException for an unknown provider, an option key the provider does not
     *     declare, or options its {@code create} rejects
     */
    public Discovery createDiscovery(String name, PublicKey nodeId, NetworkId networkId, ProviderOptions options,
            NodeServices services) {
        DiscoveryProvider p = discovery(name);
        checkOptionKeys("discovery", p.name(), p, p.optionKeys(), options);
        LOG.debug("discovery provider {}", describe(p));
        return p.create(new DiscoveryContext(nodeId, networkId, options, services));
    }

    /**
     * Makes (does not start) a discovery with the named provider, handing it the node's transport
     * (for protocols of its own, such as peer exchange) and a signer of the node's key.
     *
     * @throws ConfigurationException for an unknown provider, an option key the provider does not
     *     declare, or options its {@code create} rejects
     */
    public Discovery createDiscovery(String name, PrivateKey key, NetworkId networkId, Transport transport,
            ProviderOptions options, NodeServices services) {
        return createDiscovery(name, key, networkId, transport, PeerAffinity.none(), options, services);
    }

    /**
     * Makes (does not start) a discovery with the named provider, handing it the node's transport,
     * a signer of the node's key and the node's {@link PeerAffinity} (which nodes share a topic
     * with whom, by node id: what {@code Node} passes, so peer exchange can prefer them).
     *
     * @throws ConfigurationException for an unknown provider, an option key the provider does not
     *     declare, or options its {@code create} rejects
     */
    public Discovery createDiscovery(String name, PrivateKey key, NetworkId networkId, Transport transport,
            PeerAffinity affinity, ProviderOptions options, NodeServices services) {
        DiscoveryProvider p = discovery(name);
        checkOptionKeys("discovery", p.name(), p, p.optionKeys(), options);
        LOG.debug("discovery provider {}", describe(p));
        return p.create(new DiscoveryContext(key.publicKey(), networkId, options, services,
                java.util.Optional.of(transport), java.util.Optional.of(dev.pando.spi.DiscoverySigner.of(key)), affinity));
    }

    /**
     * Makes (does not open) a store with the named provider.
     *
     * @throws ConfigurationException for an unknown provider, an option key the provider does not
     *     declare, or options its {@code create} rejects
     */
    public Store createStore(String name, ProviderOptions options, NodeServices services) {
        StoreProvider p = store(name);
        checkOptionKeys("store", p.name(), p, p.optionKeys(), options);
        LOG.debug("store provider {}", describe(p));
        return p.create(new StoreContext(options, services));
    }

    /**
     * Makes (does not start) a transport with the named provider.
     *
     * @throws ConfigurationException for an unknown provider, an option key the provider does not
     *     declare, or options its {@code create} rejects
     */
    public Transport createTransport(String name, PrivateKey identity, NetworkId networkId, ProviderOptions options,
            NodeServices services) {
        TransportProvider p = transport(name);
        checkOptionKeys("transport", p.name(), p, p.optionKeys(), options);
        LOG.debug("transport provider {}", describe(p));
        return p.create(new TransportContext(identity, networkId, options, services));
    }

    private static void checkOptionKeys(String kind, String name, Object provider, Set<String> known, ProviderOptions options) {
        Set<String> unknown = new TreeSet<>(options.asMap().keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new ConfigurationException("the " + name + " " + kind + " (" + describe(provider) + ") takes no option"
                    + (unknown.size() == 1 ? " " : "s ") + unknown + (known.isEmpty() ? "; it takes no options"
                    : "; it knows " + new TreeSet<>(known)));
        }
    }

    /** "class in module m" (or "on the class path"), how errors and logs name a provider. */
    static String describe(Object provider) {
        Class<?> c = provider.getClass();
        Module m = c.getModule();
        return c.getName() + (m.isNamed() ? " in module " + m.getName() : " on the class path");
    }

    @Override
    public String toString() {
        return "ProviderRegistry[stores=" + stores.keySet() + ", transports=" + transports.keySet()
                + ", syncs=" + syncs.keySet() + ", gossips=" + gossips.keySet()
                + ", discoveries=" + discoveries.keySet() + "]";
    }
}
