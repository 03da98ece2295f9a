package dev.pando.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules 5 to 7 run against fixture descriptors (built with {@link ModuleDescriptor#newModule}),
 * fixture service files and a fixture source tree: each rule reports the violation and accepts
 * the corrected fixture. The rules come from the same {@link PandoArchitecture} code as the real check.
 */
class DescriptorRulesCatchViolationsTest {

    private static final String STORE_PROVIDER = "dev.pando.spi.StoreProvider";
    private static final String TRANSPORT_PROVIDER = "dev.pando.spi.TransportProvider";
    private static final String MEMORY_STORE = "dev.pando.store.fixture.MemoryStoreProvider";
    private static final String OTHER_STORE = "dev.pando.store.fixture.OtherStoreProvider";

    @TempDir
    Path temp;

    // ------------------------------------------------------------------ rule 5

    @Test
    void rule5AcceptsMatchingProvidesAndServiceFiles() throws IOException {
        Path classes = serviceDirectory("matching", STORE_PROVIDER,
                "# two providers, in another order than module-info", "", OTHER_STORE + "  # trailing comment", MEMORY_STORE);
        PandoModule module = PandoModule.declared(storeModule(MEMORY_STORE, OTHER_STORE), classes);

        assertThat(rules(module).servicesMatchProvides.violations(PandoModules.of(module))).isEmpty();
    }

    @Test
    void rule5ReportsProvidesWithoutServiceFile() throws IOException {
        Path classes = Files.createDirectories(temp.resolve("no-file"));
        PandoModule module = PandoModule.declared(storeModule(MEMORY_STORE), classes);

        assertThatThrownBy(() -> rules(module).servicesMatchProvides.check(PandoModules.of(module)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("dev.pando.store.fixture provides " + STORE_PROVIDER)
                .hasMessageContaining("but has no META-INF/services/" + STORE_PROVIDER);
    }

    @Test
    void rule5ReportsServiceFileWithoutProvides() throws IOException {
        Path classes = serviceDirectory("no-provides", TRANSPORT_PROVIDER, "dev.pando.store.fixture.SomeTransport");
        PandoModule module = PandoModule.declared(ModuleDescriptor.newModule("dev.pando.store.fixture")
                .packages(Set.of("dev.pando.store.fixture")).build(), classes);

        assertThatThrownBy(() -> rules(module).servicesMatchProvides.check(PandoModules.of(module)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("has META-INF/services/" + TRANSPORT_PROVIDER)
                .hasMessageContaining("but no 'provides " + TRANSPORT_PROVIDER + "'");
    }

    @Test
    void rule5ReportsDifferentProvidersInAJar() throws IOException {
        Path jar = temp.resolve("different.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("META-INF/services/" + STORE_PROVIDER));
            out.write((OTHER_STORE + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        PandoModule module = PandoModule.declared(storeModule(MEMORY_STORE), jar);

        assertThat(rules(module).servicesMatchProvides.violations(PandoModules.of(module))).singleElement()
                .asString()
                .contains("provides " + STORE_PROVIDER + " with [" + MEMORY_STORE + "]")
                .contains("lists [" + OTHER_STORE + "]");
    }

    // ------------------------------------------------------------------ rule 6

    @Test
    void rule6ReportsPluginsThatExport() {
        PandoModules layout = PandoModules.of(
                module(ModuleDescriptor.newModule("dev.pando.store.fixture")
                        .exports("dev.pando.store.fixture")),
                module(ModuleDescriptor.newModule("dev.pando.gossip")
                        .exports("dev.pando.gossip", Set.of("dev.pando.node"))),
                module(ModuleDescriptor.newModule("dev.pando.sync.log").packages(Set.of("dev.pando.sync.log"))),
                module(ModuleDescriptor.newModule("dev.pando.node").exports("dev.pando.node")));

        List<String> violations = PandoArchitecture.of(layout, Map.of()).pluginsExportNothing.violations(layout);

        assertThat(violations).hasSize(2);
        assertThat(violations.get(0)).startsWith("dev.pando.store.fixture exports [dev.pando.store.fixture]");
        // a qualified export is an export too
        assertThat(violations.get(1)).startsWith("dev.pando.gossip exports [dev.pando.gossip to [dev.pando.node]]");
    }

    @Test
    void rule6AllowsExactlyTheAllowListedPackageOfAPluginWithAPublicApi() {
        Map<String, String> allowList = Map.of("dev.pando.transport.relay", "dev.pando.transport.relay.server");
        PandoModule oneExport = module(ModuleDescriptor.newModule("dev.pando.transport.relay")
                .packages(Set.of("dev.pando.transport.relay"))
                .exports("dev.pando.transport.relay.server"));
        PandoModule twoExports = module(ModuleDescriptor.newModule("dev.pando.transport.relay")
                .exports("dev.pando.transport.relay")
                .exports("dev.pando.transport.relay.server"));

        assertThat(PandoArchitecture.of(PandoModules.of(oneExport), allowList).pluginsExportNothing
                .violations(PandoModules.of(oneExport))).isEmpty();
        assertThat(PandoArchitecture.of(PandoModules.of(twoExports), allowList).pluginsExportNothing
                .violations(PandoModules.of(twoExports))).singleElement().asString()
                .contains("may export exactly [dev.pando.transport.relay.server]");
        // without the allow-list entry, the same plugin may export nothing
        assertThat(PandoArchitecture.of(PandoModules.of(oneExport)).pluginsExportNothing
                .violations(PandoModules.of(oneExport))).hasSize(1);
    }

    @Test
    void rule6AllowsAQualifiedExportOfAPluginsEngineOnlyToThePluginsListedAsItsUsers() {
        // quic-netty's engine, exported to the relay (ModuleRole.PLUGIN_ENGINES), is allowed
        PandoModule toRelay = module(ModuleDescriptor.newModule("dev.pando.transport.quic.netty")
                .exports("dev.pando.transport.quic.netty", Set.of("dev.pando.transport.relay")));
        // to anyone else, or to everyone, it is not; nor may an engine user's own package be exported this way
        PandoModule toGossip = module(ModuleDescriptor.newModule("dev.pando.transport.quic.netty")
                .exports("dev.pando.transport.quic.netty", Set.of("dev.pando.transport.relay", "dev.pando.gossip")));
        PandoModule toAll = module(ModuleDescriptor.newModule("dev.pando.transport.quic.netty")
                .exports("dev.pando.transport.quic.netty"));
        PandoModule otherPlugin = module(ModuleDescriptor.newModule("dev.pando.store.fixture")
                .exports("dev.pando.store.fixture", Set.of("dev.pando.transport.relay")));

        assertThat(PandoArchitecture.of(PandoModules.of(toRelay), Map.of()).pluginsExportNothing
                .violations(PandoModules.of(toRelay))).isEmpty();
        for (PandoModule wrong : List.of(toGossip, toAll, otherPlugin)) {
            assertThat(PandoArchitecture.of(PandoModules.of(wrong), Map.of()).pluginsExportNothing
                    .violations(PandoModules.of(wrong))).singleElement().asString().contains("but a plugin exports nothing");
        }
    }

    @Test
    void rule7LetsOnlyAListedPluginUseAnotherPluginsEngine() {
        PandoModules layout = PandoModules.of(
                module(ModuleDescriptor.newModule("dev.pando.transport.relay").requires("dev.pando.api")
                        .requires("dev.pando.transport.quic.core").requires("dev.pando.transport.quic.netty")),
                module(ModuleDescriptor.newModule("dev.pando.gossip").requires("dev.pando.transport.quic.netty")),
                // the relay may use quic-netty's engine, not any other plugin
                module(ModuleDescriptor.newModule("dev.pando.transport.relay.fixture").requires("dev.pando.transport.quic.netty")));

        List<String> violations = PandoArchitecture.of(layout).requiresFollowDependencyRule.violations(layout);

        assertThat(violations).containsExactlyInAnyOrder(
                "dev.pando.gossip (PLUGIN) requires dev.pando.transport.quic.netty (PLUGIN) but may use only [API, SHARED]",
                "dev.pando.transport.relay.fixture (PLUGIN) requires dev.pando.transport.quic.netty (PLUGIN) but may use only [API, SHARED]");
    }

    // ------------------------------------------------------------------ rule 7a (and 2)

    @Test
    void rule7ReportsRequiresThatBreakTheDependencyRule() {
        PandoModules layout = PandoModules.of(
                module(ModuleDescriptor.newModule("dev.pando.api").requires("org.slf4j").requires("dev.pando.node")),
                module(ModuleDescriptor.newModule("dev.pando.store.memory").requires("dev.pando.api")
                        .requires("dev.pando.gossip")),
                module(ModuleDescriptor.newModule("dev.pando.node").requires("dev.pando.api")
                        .requires("dev.pando.store.memory").requires("dev.pando.transport.quic.core")),
                module(ModuleDescriptor.newModule("dev.pando.testkit").requires("dev.pando.api")
                        .requires("dev.pando.node").requires("dev.pando.transport.quic")),
                module(ModuleDescriptor.newModule("dev.pando.examples").requires("dev.pando.node")
                        .requires("dev.pando.store.memory").requires("dev.pando.transport.quic")),
                // a plugin may use a shared implementation; node may not, nor may it use a plugin
                module(ModuleDescriptor.newModule("dev.pando.transport.quic").requires("dev.pando.api")
                        .requires("dev.pando.transport.quic.core")),
                module(ModuleDescriptor.newModule("dev.pando.transport.quic.core").requires("dev.pando.api")
                        .requires("dev.pando.transport.quic")),
                module(ModuleDescriptor.newModule("dev.pando.gossip").requires("dev.pando.transport.quic.core")));

        List<String> violations = PandoArchitecture.of(layout).requiresFollowDependencyRule.violations(layout);

        assertThat(violations).containsExactlyInAnyOrder(
                "dev.pando.api (API) requires dev.pando.node (NODE) but may use only []",
                "dev.pando.store.memory (PLUGIN) requires dev.pando.gossip (PLUGIN) but may use only [API, SHARED]",
                "dev.pando.node (NODE) requires dev.pando.store.memory (PLUGIN) but may use only [API]",
                "dev.pando.node (NODE) requires dev.pando.transport.quic.core (SHARED) but may use only [API]",
                "dev.pando.testkit (TESTKIT) requires dev.pando.transport.quic (PLUGIN) but may use only [API, NODE, TESTKIT]",
                "dev.pando.transport.quic.core (SHARED) requires dev.pando.transport.quic (PLUGIN) but may use only [API]");
    }

    // ------------------------------------------------------------------ rule 8

    @Test
    void rule8ReportsSharedImplementationsThatActAsPlugins() {
        PandoModules layout = PandoModules.of(
                module(ModuleDescriptor.newModule("dev.pando.transport.quic.core")
                        .exports("dev.pando.transport.quic.core")
                        .exports("dev.pando.elsewhere")
                        .provides(TRANSPORT_PROVIDER, List.of("dev.pando.transport.quic.core.SomeProvider"))),
                // a plugin's provides are rule 5's business, not rule 8's
                module(ModuleDescriptor.newModule("dev.pando.transport.quic")
                        .provides(TRANSPORT_PROVIDER, List.of("dev.pando.transport.quic.KwikTransportProvider"))));

        List<String> violations = PandoArchitecture.of(layout).sharedModulesAreNoPlugins.violations(layout);

        assertThat(violations).containsExactlyInAnyOrder(
                "dev.pando.transport.quic.core provides " + TRANSPORT_PROVIDER
                        + " but a shared implementation is no plugin: the plugins built on it provide the services",
                "dev.pando.transport.quic.core exports dev.pando.elsewhere, outside its name");
        PandoModules legal = PandoModules.of(module(ModuleDescriptor.newModule("dev.pando.transport.quic.core")
                .requires("dev.pando.api").exports("dev.pando.transport.quic.core")));
        assertThat(PandoArchitecture.of(legal).sharedModulesAreNoPlugins.violations(legal)).isEmpty();
    }

    // ------------------------------------------------------------------ rule 7b

    @Test
    void rule7ReportsPandoClassesOutsideAnExplicitDevPandoModule() {
        PandoModules layout = PandoModules.of(
                PandoModule.withoutDescriptor(temp.resolve("plain.jar"), Set.of("dev.pando.plain")),
                module(ModuleDescriptor.newAutomaticModule("dev.pando.automatic").packages(Set.of("dev.pando.automatic"))),
                module(ModuleDescriptor.newModule("org.example.pando").packages(Set.of("dev.pando.misnamed"))),
                module(ModuleDescriptor.newModule("dev.pando.gossip").packages(Set.of("dev.pando.gossip"))));

        List<String> violations = PandoArchitecture.of(layout).explicitPandoModules.violations(layout);

        assertThat(violations).hasSize(3);
        assertThat(violations.get(0)).contains("plain.jar holds Pando packages [dev.pando.plain] but no module-info.class");
        assertThat(violations.get(1)).isEqualTo("dev.pando.automatic is an automatic module; Pando modules are explicit");
        assertThat(violations.get(2)).isEqualTo(
                "module org.example.pando holds Pando packages [dev.pando.misnamed] but is not named dev.pando.*");
    }

    @Test
    void rule7ReportsPackagesOutsideTheModuleName() {
        PandoModules layout = PandoModules.of(
                module(ModuleDescriptor.newModule("dev.pando.api").packages(Set.of("dev.pando", "dev.pando.spi"))),
                module(ModuleDescriptor.newModule("dev.pando.benchmarks")
                        .packages(Set.of("dev.pando.benchmarks", "dev.pando.benchmarks.jmh_generated"))),
                module(ModuleDescriptor.newModule("dev.pando.store.memory")
                        .packages(Set.of("dev.pando.store.memory", "dev.pando.store"))));

        assertThat(PandoArchitecture.of(layout).packagesUnderModuleName.violations(layout)).containsExactly(
                "dev.pando.store.memory has packages [dev.pando.store] outside dev.pando.store.memory");
    }

    @Test
    void rule7ReportsDuplicateModulesAndSplitPackages() {
        PandoModules layout = PandoModules.of(
                module(ModuleDescriptor.newModule("dev.pando.gossip").packages(Set.of("dev.pando.gossip"))),
                module(ModuleDescriptor.newModule("dev.pando.gossip").packages(Set.of("dev.pando.gossip.other"))),
                module(ModuleDescriptor.newModule("dev.pando.sync.log").packages(Set.of("dev.pando.gossip"))));

        assertThat(PandoArchitecture.of(layout).uniqueModulesAndPackages.violations(layout)).containsExactly(
                "module dev.pando.gossip appears 2 times: [(fixture), (fixture)]",
                "package dev.pando.gossip is split across modules [dev.pando.gossip, dev.pando.sync.log]");
    }

    // ------------------------------------------------------------------ rule 7c

    @Test
    void rule7ReportsModuleFoldersThatDoNotMatchTheirNameOrAreNotOnTheClassPath() throws IOException {
        Path root = temp.resolve("repo");
        write(root.resolve("pom.xml"), "<project><modelVersion>4.0.0</modelVersion><modules>"
                + "<module>api</module><module>store-memory</module><module>gossip</module>"
                + "<module>sync-log</module><module>docs</module><module>architecture-tests</module>"
                + "</modules></project>");
        write(root.resolve("api/src/main/java/module-info.java"),
                "/* not this: module wrong.name { */\n// nor this: module other {\nmodule dev.pando.api {\n}\n");
        write(root.resolve("store-memory/src/main/java/module-info.java"), "module dev.pando.store.mem { }");
        write(root.resolve("gossip/src/main/java/dev/pando/gossip/Gossip.java"), "package dev.pando.gossip;");
        write(root.resolve("sync-log/src/main/java/module-info.java"),
                "import dev.pando.spi.SyncProvider;\n@Deprecated open module dev.pando.sync.log { }");
        Files.createDirectories(root.resolve("docs"));
        Files.createDirectories(root.resolve("architecture-tests/src/test/java"));
        PandoModules onClassPath = PandoModules.of(
                module(ModuleDescriptor.newModule("dev.pando.api").packages(Set.of("dev.pando"))));

        List<String> violations = PandoArchitecture.sourceTreeMatches(root).violations(onClassPath);

        assertThat(violations).containsExactly(
                "folder store-memory declares module dev.pando.store.mem but must be dev.pando.store.memory",
                "gossip has main sources but no src/main/java/module-info.java",
                "module dev.pando.sync.log (folder sync-log) is not on the architecture tests' class path:"
                        + " add it as a test dependency to architecture-tests/pom.xml");
    }

    @Test
    void moduleDeclarationIsFoundBehindCommentsAndAnnotations() throws IOException {
        Path file = temp.resolve("module-info.java");
        write(file, "/**\n * Docs mention module foo.bar { here }.\n */\n@SuppressWarnings(\"x\")\nmodule dev.pando.x{}");
        assertThat(PandoArchitecture.declaredModuleName(file)).isEqualTo(Optional.of("dev.pando.x"));
    }

    // ------------------------------------------------------------------ helpers

    private static PandoArchitecture rules(PandoModule module) {
        return PandoArchitecture.of(PandoModules.of(module));
    }

    private static ModuleDescriptor storeModule(String... providers) {
        return ModuleDescriptor.newModule("dev.pando.store.fixture")
                .requires("dev.pando.api")
                .provides(STORE_PROVIDER, List.of(providers))
                .build();
    }

    private static PandoModule module(ModuleDescriptor.Builder builder) {
        return PandoModule.fixture(builder.build());
    }

    private Path serviceDirectory(String name, String service, String... lines) throws IOException {
        Path classes = temp.resolve(name);
        write(classes.resolve("META-INF/services/" + service), String.join("\n", lines) + "\n");
        return classes;
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }
}
