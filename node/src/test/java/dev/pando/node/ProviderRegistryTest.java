package dev.pando.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.ConfigurationException;
import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.spi.Discovery;
import dev.pando.spi.DiscoveryContext;
import dev.pando.spi.DiscoveryProvider;
import dev.pando.spi.Gossip;
import dev.pando.spi.GossipContext;
import dev.pando.spi.GossipProvider;
import dev.pando.spi.NodeServices;
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
import dev.pando.testkit.support.MemoryNetwork;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ProviderRegistryTest {

    /** A plug-in that calls itself "sqlite" (issue 13: it silently replaced the built-in store). */
    static final class PluginSqlite implements StoreProvider {
        @Override
        public String name() {
            return "sqlite";
        }

        @Override
        public Set<String> optionKeys() {
            return Set.of("path");
        }

        @Override
        public Store create(StoreContext context) {
            throw new UnsupportedOperationException("not made in these tests");
        }
    }

    /** Another plug-in of the same name. */
    static final class OtherSqlite implements StoreProvider {
        @Override
        public String name() {
            return "sqlite";
        }

        @Override
        public Set<String> optionKeys() {
            return Set.of();
        }

        @Override
        public Store create(StoreContext context) {
            throw new UnsupportedOperationException("not made in these tests");
        }
    }

    @Test
    void twoProvidersOfOneNamePassedExplicitlyAreAnErrorNamingBoth() {
        assertThatThrownBy(() -> ProviderRegistry.builder().discover(false)
                .store(new PluginSqlite()).store(new OtherSqlite()).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("two store providers are named \"sqlite\"")
                .hasMessageContaining(PluginSqlite.class.getName() + " in module dev.pando.node")
                .hasMessageContaining(OtherSqlite.class.getName() + " in module dev.pando.node");
    }

    @Test
    void aPluginNamedLikeTheBuiltInStoreIsAnErrorNamingBothModules() {
        // store-sqlite is on this test's module path: discovery finds the built-in "sqlite"
        assertThatThrownBy(() -> ProviderRegistry.builder().store(new PluginSqlite()).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("in module dev.pando.store.sqlite")
                .hasMessageContaining(PluginSqlite.class.getName() + " in module dev.pando.node");
    }

    @Test
    void theSameProviderClassTwiceIsOneProvider() {
        ProviderRegistry r = ProviderRegistry.builder().discover(false).store(new PluginSqlite()).store(new PluginSqlite()).build();
        assertThat(r.stores()).hasSize(1);
    }

    @Test
    void discoveryFindsTheProvidersOnTheModulePath() {
        ProviderRegistry r = ProviderRegistry.load();
        assertThat(r.stores()).extracting(StoreProvider::name).containsExactly("memory", "sqlite");
        assertThat(r.findStore("memory")).isPresent();
        assertThat(r.findStore("postgres")).isEmpty();
        assertThatThrownBy(() -> r.store("postgres")).isInstanceOf(ConfigurationException.class)
                .hasMessage("no store provider named \"postgres\"; found: [memory, sqlite]");
        assertThatThrownBy(r::store).isInstanceOf(ConfigurationException.class).hasMessageContaining("several");
        assertThat(ProviderRegistry.builder().discover(false).store(new PluginSqlite()).build().store()).isInstanceOf(PluginSqlite.class);
    }

    @Test
    void unknownOptionKeysAreRejectedForEveryProviderBeforeCreate() {
        ProviderRegistry r = ProviderRegistry.load();
        // the memory store takes no options at all, and its create would ignore them
        assertThatThrownBy(() -> r.createStore("memory", ProviderOptions.of("path", "x.db"), NodeServices.system()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("[path]")
                .hasMessageContaining("in module dev.pando.store.memory")
                .hasMessageContaining("it takes no options");
        assertThatThrownBy(() -> r.createStore("sqlite", ProviderOptions.of("path", "x.db", "jornal_mode", "WAL"),
                NodeServices.system()))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("[jornal_mode]")
                .hasMessageContaining("journal_mode");
        try (Store s = r.createStore("memory", ProviderOptions.empty(), NodeServices.system())) {
            s.open();
            assertThat(s.logs()).isEmpty();
        }
    }

    @Test
    void transportsAreCreatedWithTheirContextAndCheckedOptions() {
        try (MemoryNetwork network = MemoryNetwork.create()) {
            TransportProvider memory = network.provider();
            ProviderRegistry r = ProviderRegistry.builder().discover(false).transport(memory).build();
            assertThat(r.transports()).containsExactly(memory);
            assertThatThrownBy(() -> r.createTransport("memory", PrivateKey.generate(), NetworkId.DEFAULT,
                    ProviderOptions.of("stream_timeot", "5s"), NodeServices.system()))
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("[stream_timeot]")
                    .hasMessageContaining("stream_timeout");
            Transport t = r.createTransport("memory", PrivateKey.generate(), NetworkId.DEFAULT,
                    ProviderOptions.of("stream_timeout", "5s"), NodeServices.system());
            assertThat(t).isNotNull();
            assertThatThrownBy(() -> r.transport("quic")).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("found: [memory]");
        }
    }

    @Test
    void twoTransportsOfOneNameAreAnErrorToo() {
        try (MemoryNetwork a = MemoryNetwork.create(); MemoryNetwork b = MemoryNetwork.create()) {
            // two instances of the same anonymous class: one provider class, so one provider
            assertThat(ProviderRegistry.builder().discover(false).transport(a.provider()).transport(b.provider()).build()
                    .transports()).hasSize(1);
            TransportProvider impostor = new TransportProvider() {
                @Override
                public String name() {
                    return "memory";
                }

                @Override
                public Set<String> optionKeys() {
                    return Set.of();
                }

                @Override
                public Transport create(TransportContext context) {
                    throw new UnsupportedOperationException();
                }
            };
            assertThatThrownBy(() -> ProviderRegistry.builder().discover(false).transport(a.provider()).transport(impostor).build())
                    .isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining("two transport providers are named \"memory\"")
                    .hasMessageContaining("dev.pando.testkit.support.MemoryNetwork");
        }
    }

    @Test
    void listsAreInNameOrder() {
        ProviderRegistry r = ProviderRegistry.builder().discover(false).store(new PluginSqlite()).build();
        assertThat(r.stores()).extracting(StoreProvider::name).isEqualTo(List.of("sqlite"));
        assertThat(r.transports()).isEmpty();
    }

    // ------------------------------------------------------------ sync, gossip, discovery

    /** An object of an SPI interface that does nothing (these tests only check it is handed back). */
    @SuppressWarnings("unchecked")
    static <T> T inert(Class<T> type) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> null);
    }

    /** A sync provider "log-sync" (not the real one: sync-log depends on this module) that keeps its context. */
    static final class StubSync implements SyncProvider {
        final AtomicReference<SyncContext> context = new AtomicReference<>();

        @Override
        public String name() {
            return "log-sync";
        }

        @Override
        public Set<String> optionKeys() {
            return Set.of("timeout");
        }

        @Override
        public SyncProtocol create(SyncContext c) {
            context.set(c);
            return inert(SyncProtocol.class);
        }
    }

    /** A plug-in that also calls itself "log-sync". */
    static final class OtherSync implements SyncProvider {
        @Override
        public String name() {
            return "log-sync";
        }

        @Override
        public Set<String> optionKeys() {
            return Set.of();
        }

        @Override
        public SyncProtocol create(SyncContext c) {
            throw new UnsupportedOperationException("not made in these tests");
        }
    }

    static final class StubGossip implements GossipProvider {
        final String name;
        final AtomicReference<GossipContext> context = new AtomicReference<>();

        StubGossip(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> optionKeys() {
            return Set.of("fanout");
        }

        @Override
        public Gossip create(GossipContext c) {
            context.set(c);
            return inert(Gossip.class);
        }
    }

    static final class OtherGossip implements GossipProvider {
        @Override
        public String name() {
            return "plumtree";
        }

        @Override
        public Set<String> optionKeys() {
            return Set.of();
        }

        @Override
        public Gossip create(GossipContext c) {
            throw new UnsupportedOperationException("not made in these tests");
        }
    }

    static final class StubDiscovery implements DiscoveryProvider {
        final String name;
        final AtomicReference<DiscoveryContext> context = new AtomicReference<>();

        StubDiscovery(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> optionKeys() {
            return Set.of();
        }

        @Override
        public Discovery create(DiscoveryContext c) {
            context.set(c);
            return inert(Discovery.class);
        }
    }

    static final class OtherDiscovery implements DiscoveryProvider {
        @Override
        public String name() {
            return "mdns";
        }

        @Override
        public Set<String> optionKeys() {
            return Set.of();
        }

        @Override
        public Discovery create(DiscoveryContext c) {
            throw new UnsupportedOperationException("not made in these tests");
        }
    }

    @Test
    void twoSyncGossipOrDiscoveryProvidersOfOneNameAreAnErrorNamingBothModules() {
        assertThatThrownBy(() -> ProviderRegistry.builder().discover(false).sync(new StubSync()).sync(new OtherSync()).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("two sync providers are named \"log-sync\"")
                .hasMessageContaining(StubSync.class.getName() + " in module dev.pando.node")
                .hasMessageContaining(OtherSync.class.getName() + " in module dev.pando.node");
        assertThatThrownBy(() -> ProviderRegistry.builder().discover(false).gossip(new StubGossip("plumtree")).gossip(new OtherGossip()).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("two gossip providers are named \"plumtree\"")
                .hasMessageContaining(StubGossip.class.getName() + " in module dev.pando.node")
                .hasMessageContaining(OtherGossip.class.getName() + " in module dev.pando.node");
        assertThatThrownBy(() -> ProviderRegistry.builder().discover(false).discovery(new StubDiscovery("mdns")).discovery(new OtherDiscovery()).build())
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("two discovery providers are named \"mdns\"")
                .hasMessageContaining(StubDiscovery.class.getName() + " in module dev.pando.node")
                .hasMessageContaining(OtherDiscovery.class.getName() + " in module dev.pando.node");
        // the same class twice is one provider; one name in two kinds is no clash
        ProviderRegistry r = ProviderRegistry.builder().discover(false).sync(new StubSync()).sync(new StubSync())
                .gossip(new StubGossip("log-sync")).discovery(new StubDiscovery("log-sync")).build();
        assertThat(r.syncs()).hasSize(1);
        assertThat(r.gossips()).hasSize(1);
        assertThat(r.discoveries()).hasSize(1);
    }

    @Test
    void syncGossipAndDiscoveryAreFoundByNameInNameOrder() {
        ProviderRegistry r = ProviderRegistry.builder().discover(false).sync(new StubSync())
                .gossip(new StubGossip("plumtree")).gossip(new StubGossip2("flood"))
                .discovery(new StubDiscovery("mdns")).discovery(new StubDiscovery2("bootstrap")).build();
        assertThat(r.syncs()).extracting(SyncProvider::name).containsExactly("log-sync");
        assertThat(r.gossips()).extracting(GossipProvider::name).containsExactly("flood", "plumtree");
        assertThat(r.discoveries()).extracting(DiscoveryProvider::name).containsExactly("bootstrap", "mdns");
        assertThat(r.findSync("log-sync")).isPresent();
        assertThat(r.findGossip("gossipsub")).isEmpty();
        assertThat(r.findDiscovery("mdns")).isPresent();
        assertThatThrownBy(() -> r.sync("set-reconciliation")).isInstanceOf(ConfigurationException.class)
                .hasMessage("no sync provider named \"set-reconciliation\"; found: [log-sync]");
        assertThatThrownBy(() -> r.gossip("gossipsub")).isInstanceOf(ConfigurationException.class)
                .hasMessage("no gossip provider named \"gossipsub\"; found: [flood, plumtree]");
        assertThatThrownBy(() -> r.discovery("dht")).isInstanceOf(ConfigurationException.class)
                .hasMessage("no discovery provider named \"dht\"; found: [bootstrap, mdns]");
        assertThat(r.toString()).contains("syncs=[log-sync]", "gossips=[flood, plumtree]", "discoveries=[bootstrap, mdns]");
    }

    static final class StubGossip2 extends StubGossipBase {
        StubGossip2(String name) {
            super(name);
        }
    }

    static class StubGossipBase implements GossipProvider {
        private final String name;

        StubGossipBase(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> optionKeys() {
            return Set.of();
        }

        @Override
        public Gossip create(GossipContext c) {
            return inert(Gossip.class);
        }
    }

    static final class StubDiscovery2 implements DiscoveryProvider {
        private final String name;

        StubDiscovery2(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> optionKeys() {
            return Set.of();
        }

        @Override
        public Discovery create(DiscoveryContext c) {
            return inert(Discovery.class);
        }
    }

    @Test
    void syncGossipAndDiscoveryAreCreatedWithTheirContextAndCheckedOptions() {
        StubSync sync = new StubSync();
        StubGossip gossip = new StubGossip("plumtree");
        StubDiscovery discovery = new StubDiscovery("mdns");
        ProviderRegistry r = ProviderRegistry.builder().discover(false).sync(sync).gossip(gossip).discovery(discovery).build();
        NodeServices services = NodeServices.system();
        PrivateKey key = PrivateKey.generate();

        assertThatThrownBy(() -> r.createSync("log-sync", ProviderOptions.of("timout", "5s"), services))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("the log-sync sync (" + StubSync.class.getName() + " in module dev.pando.node)")
                .hasMessageContaining("[timout]").hasMessageContaining("it knows [timeout]");
        assertThatThrownBy(() -> r.createGossip("plumtree", key.publicKey(), NetworkId.DEFAULT, inert(Transport.class),
                ProviderOptions.of("fan_out", "3"), services))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("[fan_out]").hasMessageContaining("[fanout]");
        assertThatThrownBy(() -> r.createDiscovery("mdns", key.publicKey(), NetworkId.DEFAULT, ProviderOptions.of("interval", "1s"),
                services))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("[interval]").hasMessageContaining("it takes no options");
        assertThat(sync.context.get()).as("create never ran for rejected options").isNull();
        assertThat(gossip.context.get()).isNull();
        assertThat(discovery.context.get()).isNull();

        assertThat(r.createSync("log-sync", ProviderOptions.of("timeout", "5s"), services)).isNotNull();
        assertThat(sync.context.get().options().asMap()).containsEntry("timeout", "5s");
        assertThat(sync.context.get().services()).isSameAs(services);
        Transport transport = inert(Transport.class);
        assertThat(r.createGossip("plumtree", key.publicKey(), NetworkId.DEFAULT, transport, ProviderOptions.of("fanout", "3"),
                services)).isNotNull();
        assertThat(gossip.context.get().transport()).isSameAs(transport);
        assertThat(gossip.context.get().nodeId()).isEqualTo(key.publicKey());
        assertThat(r.createDiscovery("mdns", key.publicKey(), NetworkId.DEFAULT, ProviderOptions.empty(), services)).isNotNull();
        assertThat(discovery.context.get().networkId()).isEqualTo(NetworkId.DEFAULT);
        assertThatThrownBy(() -> r.createSync("other", ProviderOptions.empty(), services)).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("found: [log-sync]");
    }

    @Test
    void discoveryOfSyncGossipAndDiscoveryProvidersRunsAndFindsNoneHere() {
        // this module's tests see no sync, gossip or discovery plug-in (sync-log depends on node, so
        // node's tests cannot put it on their path); sync-log's LogSyncProviderTest finds "log-sync"
        // through a registry; what matters here is that ServiceLoader runs for these SPIs (the
        // module declares "uses": without it load() would throw ServiceConfigurationError)
        ProviderRegistry r = ProviderRegistry.load();
        assertThat(r.syncs()).isEmpty();
        assertThat(r.gossips()).isEmpty();
        assertThat(r.discoveries()).isEmpty();
        assertThat(ProviderRegistry.class.getModule().getDescriptor().uses()).contains(
                SyncProvider.class.getName(), GossipProvider.class.getName(), DiscoveryProvider.class.getName());
    }
}
