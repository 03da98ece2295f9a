package dev.pando.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Rules 5 to 7 (module descriptors, service files, names) over every Pando module on the class path. */
class ModuleDescriptorTest {

    @Test
    void discoversTheApiModuleFromTheClassPath() {
        assertThat(RealCodebase.MODULES.named("dev.pando.api")).hasValueSatisfying(api -> {
            assertThat(api.packages()).contains("dev.pando", "dev.pando.spi");
            assertThat(api.location()).isPresent();
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("descriptorRules")
    void descriptorRuleHolds(DescriptorRule rule) {
        rule.check(RealCodebase.MODULES);
    }

    static Stream<DescriptorRule> descriptorRules() {
        return RealCodebase.ARCHITECTURE.descriptorRules().stream();
    }

    @Test
    void moduleFoldersMatchTheirNamesAndAreAllOnThisClassPath() {
        PandoArchitecture.sourceTreeMatches(RealCodebase.repositoryRoot()).check(RealCodebase.MODULES);
    }

    @Test
    void folderConventionReproducesTheTableInArchitectureMd() {
        // the folder → module table of docs/ARCHITECTURE.md, which the convention must keep producing
        Map<String, String> table = Map.ofEntries(
                Map.entry("api", "dev.pando.api"),
                Map.entry("node", "dev.pando.node"),
                Map.entry("store-memory", "dev.pando.store.memory"),
                Map.entry("store-sqlite", "dev.pando.store.sqlite"),
                Map.entry("transport-quic", "dev.pando.transport.quic"),
                Map.entry("transport-quic-netty", "dev.pando.transport.quic.netty"),
                Map.entry("transport-quic-core", "dev.pando.transport.quic.core"),
                Map.entry("transport-relay", "dev.pando.transport.relay"),
                Map.entry("discovery-mdns", "dev.pando.discovery.mdns"),
                Map.entry("discovery-bootstrap", "dev.pando.discovery.bootstrap"),
                Map.entry("sync-log", "dev.pando.sync.log"),
                Map.entry("gossip", "dev.pando.gossip"),
                Map.entry("examples", "dev.pando.examples"),
                Map.entry("testkit", "dev.pando.testkit"),
                Map.entry("testkit-support", "dev.pando.testkit.support"),
                Map.entry("benchmarks", "dev.pando.benchmarks"));
        table.forEach((folder, module) ->
                assertThat(PandoArchitecture.expectedModuleName(folder)).as(folder).isEqualTo(module));
    }
}
