package dev.pando.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.lang.ArchRule;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Rules 1 to 4 (ArchUnit) over every Pando module on the class path. */
class ModuleBoundariesTest {

    private final PandoArchitecture architecture = RealCodebase.ARCHITECTURE;

    @Test
    void theImportSeesEveryPandoModule() {
        // guards against a silently empty check: every discovered module contributes classes
        assertThat(RealCodebase.MODULES.named("dev.pando.api")).isPresent();
        for (PandoModule module : RealCodebase.MODULES.all()) {
            assertThat(RealCodebase.classes().stream().filter(c -> RealCodebase.MODULES.of(c).equals(Optional.of(module))))
                    .as("imported classes of %s", module).isNotEmpty();
        }
        assertThat(RealCodebase.classes().stream().filter(c -> RealCodebase.MODULES.of(c).isEmpty()))
                .as("imported classes outside any discovered module").isEmpty();
    }

    @Test
    void apiDependsOnlyOnTheJdkBouncyCastleAndSlf4j() {
        architecture.apiDependencies.check(RealCodebase.classes());
    }

    @Test
    void pluginsAndNodeDependOnlyOnApi() {
        architecture.moduleDependencies.check(RealCodebase.classes());
    }

    @Test
    void noPackageCycles() {
        architecture.noPackageCycles.check(RealCodebase.classes());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("libraryOwnershipRules")
    void librariesAreUsedOnlyByTheirOwningModules(ArchRule rule) {
        rule.check(RealCodebase.classes());
    }

    static Stream<ArchRule> libraryOwnershipRules() {
        return RealCodebase.ARCHITECTURE.libraryOwnership.stream();
    }
}
