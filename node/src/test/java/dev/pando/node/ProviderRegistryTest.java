package dev.pando.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.ConfigurationException;
import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.spi.StoreProvider;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.spi.TransportProvider;
import dev.pando.testkit.support.MemoryNetwork;
import java.util.List;
import java.util.Set;
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
}
