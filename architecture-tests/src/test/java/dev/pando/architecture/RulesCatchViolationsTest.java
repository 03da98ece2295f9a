package dev.pando.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rules 1 to 4 run against the fixture layout: each must report the fixture's violations, only
 * those, and accept the layout once the violating classes are left out. The rule objects are
 * built by the same {@link PandoArchitecture} code as the real check.
 */
class RulesCatchViolationsTest {

    private static final PandoArchitecture FIXTURE = PandoArchitecture.of(FixtureLayout.MODULES);
    private static JavaClasses all;
    private static JavaClasses legal;

    @BeforeAll
    static void importFixture() {
        all = FixtureLayout.allClasses();
        legal = FixtureLayout.legalClasses();
        assertThat(legal.size()).isLessThan(all.size());
    }

    static Stream<Arguments> classRules() {
        return Stream.concat(
                Stream.of(
                        Arguments.of("1 api dependencies", FIXTURE.apiDependencies),
                        Arguments.of("2 module dependencies", FIXTURE.moduleDependencies),
                        Arguments.of("3 package cycles", FIXTURE.noPackageCycles)),
                FIXTURE.libraryOwnership.stream().map(rule -> Arguments.of("4 " + rule.getDescription(), rule)));
    }

    @ParameterizedTest(name = "rule {0}")
    @MethodSource("classRules")
    void legalFixtureKeepsRule(String name, ArchRule rule) {
        rule.check(legal);
    }

    @Test
    void rule1ReportsApiUsingOurModulesAndThirdParties() {
        assertThatThrownBy(() -> FIXTURE.apiDependencies.check(all))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("ViolationApiUsesNode")
                .hasMessageContaining("ViolationApiUsesJmdns");
        assertOnlyViolationClassesReported(FIXTURE.apiDependencies);
    }

    @Test
    void rule2ReportsForbiddenModuleDependencies() {
        assertThatThrownBy(() -> FIXTURE.moduleDependencies.check(all))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("ViolationStoreUsesGossip")
                .hasMessageContaining("ViolationNodeUsesStore")
                .hasMessageContaining("ViolationTestkitUsesPlugin")
                .hasMessageContaining("ViolationApiUsesNode");
        List<String> details = details(FIXTURE.moduleDependencies);
        // examples and benchmarks wire plugins together, which is allowed
        assertThat(details).noneMatch(d -> d.contains("LegalExample") || d.contains("LegalBenchmark"));
    }

    @Test
    void rule3ReportsAPackageCycle() {
        assertThatThrownBy(() -> FIXTURE.noPackageCycles.check(all))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("cycle.a.ViolationCycleA")
                .hasMessageContaining("cycle.b.ViolationCycleB");
    }

    static Stream<Arguments> libraryViolations() {
        return Stream.of(
                Arguments.of(0, List.of("ViolationGossipUsesNetty")),
                Arguments.of(1, List.of("ViolationTransportUsesJmdns", "ViolationApiUsesJmdns")),
                Arguments.of(2, List.of("ViolationStoreUsesJdbc", "ViolationExampleUsesJdbc")));
    }

    @ParameterizedTest(name = "rule 4 for library {0} reports {1}")
    @MethodSource("libraryViolations")
    void rule4ReportsLibrariesUsedOutsideTheirOwners(int library, List<String> violators) {
        ArchRule rule = FIXTURE.libraryOwnership.get(library);
        assertThatThrownBy(() -> rule.check(all))
                .isInstanceOf(AssertionError.class)
                .satisfies(e -> assertThat(e.getMessage()).contains(violators));
        // the owners (transport, sqlite, mdns) and the exempt benchmarks are not reported
        assertOnlyViolationClassesReported(rule);
    }

    private static void assertOnlyViolationClassesReported(ArchRule rule) {
        assertThat(details(rule)).isNotEmpty().allMatch(d -> d.contains(".Violation"), "names a Violation* class");
    }

    private static List<String> details(ArchRule rule) {
        return rule.evaluate(all).getFailureReport().getDetails();
    }
}
