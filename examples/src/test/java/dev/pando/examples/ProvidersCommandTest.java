package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.ConfigurationException;
import dev.pando.node.ProviderRegistry;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.spi.StoreProvider;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.spi.TransportProvider;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pando providers}, the registry's duplicate-name error on the command line, and the
 * provider options {@code --store-option} and {@code --transport-option}.
 */
class ProvidersCommandTest {
    private static final String NODE_ID = "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29";

    @TempDir
    Path dir;

    // ---- pando providers

    @Test
    void listsTheStoreAndTransportProvidersWithModuleAndOptionKeys() {
        Cli.Result r = Cli.run("providers");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = r.json();
        assertThat(names(json.get("stores"))).containsExactly("memory", "sqlite");
        assertThat(names(json.get("transports"))).containsExactly("quic", "quic-netty", "relay");
        assertThat(names(json.get("syncs"))).containsExactly("log-sync");
        assertThat(names(json.get("gossips"))).containsExactly("plumtree");
        assertThat(names(json.get("discoveries"))).contains("mdns");
        JsonNode sqlite = json.get("stores").get(1);
        assertThat(sqlite.get("module").asText()).isEqualTo("dev.pando.store.sqlite");
        assertThat(sqlite.get("class").asText()).isEqualTo("dev.pando.store.sqlite.SqliteStoreProvider");
        assertThat(strings(sqlite.get("option_keys"))).contains("busy_timeout", "path", "read_only").isSorted();
        assertThat(strings(json.get("stores").get(0).get("option_keys"))).isEmpty();
        JsonNode netty = json.get("transports").get(1);
        assertThat(netty.get("module").asText()).isEqualTo("dev.pando.transport.quic.netty");
        assertThat(strings(netty.get("option_keys"))).contains("bind", "idle_timeout", "stream_timeout");
    }

    @Test
    void listsAPluginProviderNextToTheBuiltIns() {
        Cli.Result r = Cli.runWithProviders(() -> ProviderRegistry.builder().store(new RecordingStore("journal")).build(),
                "providers");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode journal = r.json().get("stores").get(0);
        assertThat(journal.get("name").asText()).isEqualTo("journal");
        assertThat(journal.get("module").asText()).isEqualTo("dev.pando.examples");
        assertThat(strings(journal.get("option_keys"))).containsExactly("flush", "path");
    }

    @Test
    void aProviderNamedLikeABuiltInIsAConfigurationErrorNamingBothModules() {
        java.util.function.Supplier<ProviderRegistry> clash =
                () -> ProviderRegistry.builder().store(new RecordingStore("sqlite")).build();
        for (String[] args : List.of(new String[] {"providers"},
                new String[] {"store", "import", "--db", dir.resolve("x.db").toString()})) {
            Cli.Result r = Cli.runWithProviders(clash, args);
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(r.field("error")).isEqualTo("Configuration");
            assertThat(r.field("message")).contains("two store providers are named \"sqlite\"")
                    .contains("in module dev.pando.store.sqlite")
                    .contains(RecordingStore.class.getName() + " in module dev.pando.examples");
        }
    }

    // ---- --store-option

    @Test
    void storeOptionsReachTheProviderBesidesThePathFromDb() {
        RecordingStore journal = new RecordingStore("journal");
        Path db = dir.resolve("j.db");
        Cli.Result r = Cli.runWithProviders(() -> ProviderRegistry.builder().store(journal).build(),
                "store", "import", "--store", "journal", "--db", db.toString(), "--store-option", "flush=always");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(journal.seen).containsExactly(Map.of("flush", "always", "path", db.toString()));
    }

    @Test
    void anUnknownStoreOptionIsRejectedListingTheProvidersKeys() {
        Cli.Result r = Cli.run("store", "import", "--db", dir.resolve("x.db").toString(), "--store-option", "bogus=1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.field("error")).isEqualTo("InvalidInput");
        assertThat(r.field("message")).contains("bogus").contains("busy_timeout").contains("synchronous");
        assertThat(dir.resolve("x.db")).doesNotExist();
    }

    @Test
    void aKnownStoreOptionIsUsedAndABadValueRejected() {
        Path db = dir.resolve("ok.db");
        Cli.Result ok = Cli.run("store", "import", "--db", db.toString(), "--store-option", "synchronous=full",
                "--store-option", "busy_timeout=1s");
        assertThat(ok.exit()).as(ok.out()).isZero();
        Cli.Result bad = Cli.run("store", "check", "--db", db.toString(), "--store-option", "busy_timeout=soon");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.field("message")).contains("busy_timeout");
    }

    @Test
    void storeOptionsTheCommandSetsItselfAreRefusedNamingTheFlag() {
        Cli.Result r = Cli.run("store", "import", "--db", dir.resolve("x.db").toString(), "--store-option", "path=other.db");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.field("message")).isEqualTo("--store-option path: this command sets path itself (from --db)");
    }

    @Test
    void aMalformedOrRepeatedProviderOptionIsAUsageError() {
        Cli.Result noEquals = Cli.run("store", "import", "--db", dir.resolve("x.db").toString(), "--store-option", "busy_timeout");
        assertThat(noEquals.exit()).isEqualTo(2);
        assertThat(noEquals.field("message")).contains("--store-option takes KEY=VALUE");
        Cli.Result twice = Cli.run("net", "ping", NODE_ID + "@127.0.0.1:9", "--transport-option", "idle_timeout=5s",
                "--transport-option", "idle_timeout=6s");
        assertThat(twice.exit()).isEqualTo(2);
        assertThat(twice.field("message")).contains("--transport-option idle_timeout is given twice");
    }

    // ---- --transport-option

    @Test
    void transportOptionsReachTheProviderBesidesTheCommandsOwn() {
        RecordingTransport recording = new RecordingTransport();
        Cli.Result r = Cli.runWithProviders(() -> ProviderRegistry.builder().transport(recording).build(),
                "net", "ping", NODE_ID + "@127.0.0.1:9", "--transport", "recording", "--timeout", "2s",
                "--transport-option", "idle_timeout=30s", "--transport-option", "max_connections=4");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.field("message")).contains("recorded");
        assertThat(recording.seen).containsExactly(Map.of("idle_timeout", "30s", "max_connections", "4",
                "bind", "127.0.0.1:0", "handshake_timeout", "2000ms", "stream_timeout", "2000ms"));
    }

    @Test
    void anUnknownTransportOptionIsRejectedListingTheProvidersKeys() {
        Cli.Result r = Cli.run("net", "listen", "--until-signal", "--transport-option", "bogus=1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.field("error")).isEqualTo("InvalidInput");
        assertThat(r.field("message")).contains("quic-netty").contains("bogus").contains("idle_timeout").contains("keep_alive");
    }

    @Test
    void transportOptionsTheCommandSetsItselfAreRefusedNamingTheFlag() {
        Cli.Result r = Cli.run("net", "listen", "--until-signal", "--transport-option", "bind=0.0.0.0:0");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.field("message")).isEqualTo("--transport-option bind: this command sets bind itself (from --bind)");
    }

    private static List<String> names(JsonNode providers) {
        List<String> names = new ArrayList<>();
        providers.forEach(p -> names.add(p.get("name").asText()));
        return names;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** A plug-in store: records its options, then is the built-in memory store. */
    static final class RecordingStore implements StoreProvider {
        private final String name;
        final List<Map<String, String>> seen = new ArrayList<>();

        RecordingStore(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Set<String> optionKeys() {
            return Set.of("path", "flush");
        }

        @Override
        public Store create(StoreContext context) {
            seen.add(new TreeMap<>(context.options().asMap()));
            return ProviderRegistry.load().store("memory").create(new StoreContext(ProviderOptions.empty(), context.services()));
        }
    }

    /** A plug-in transport that records its options and refuses to be made. */
    static final class RecordingTransport implements TransportProvider {
        final List<Map<String, String>> seen = new ArrayList<>();

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public Set<String> optionKeys() {
            return Set.of("bind", "handshake_timeout", "stream_timeout", "idle_timeout", "max_connections");
        }

        @Override
        public Transport create(TransportContext context) {
            seen.add(new TreeMap<>(context.options().asMap()));
            throw new ConfigurationException("recorded");
        }
    }
}
