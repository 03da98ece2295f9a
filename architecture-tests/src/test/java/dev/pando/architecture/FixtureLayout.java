package dev.pando.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A fake module layout over the classes in {@code dev.pando.architecture.fixture}: each fixture
 * package plays one Pando module. Classes named {@code Violation*} break exactly the rules their
 * Javadoc names; the others ({@code Legal*}) use only what their module may use.
 */
final class FixtureLayout {

    static final String FIXTURE = "dev.pando.architecture.fixture";

    static final PandoModules MODULES = PandoModules.of(
            module("dev.pando.api", "api"),
            module("dev.pando.node", "node"),
            module("dev.pando.testkit", "testkit"),
            module("dev.pando.examples", "examples"),
            module("dev.pando.benchmarks", "benchmarks"),
            module("dev.pando.store.fixture", "store"),
            module("dev.pando.gossip", "gossip"),
            module("dev.pando.transport.fixture", "transport"),
            module("dev.pando.store.sqlite", "sqlite"),
            module("dev.pando.discovery.mdns", "mdns"),
            module("dev.pando.cycle.fixture", "cycle.a", "cycle.b"));

    private static final Pattern VIOLATION_CLASS_FILE = Pattern.compile(".*/Violation[^/]*\\.class$");

    private FixtureLayout() {
    }

    /** Every fixture class, violations included. */
    static JavaClasses allClasses() {
        return new ClassFileImporter().importPath(fixtureDirectory());
    }

    /** The fixture without its {@code Violation*} classes: a layout that keeps every rule. */
    static JavaClasses legalClasses() {
        return new ClassFileImporter()
                .withImportOption(location -> !location.matches(VIOLATION_CLASS_FILE))
                .importPath(fixtureDirectory());
    }

    // Importing the directory is much faster than importPackages, which scans the whole class path.
    private static Path fixtureDirectory() {
        return PandoModules.ownLocation().resolve(FIXTURE.replace('.', '/'));
    }

    private static PandoModule module(String name, String... packageSuffixes) {
        Set<String> packages = Arrays.stream(packageSuffixes).map(s -> FIXTURE + "." + s).collect(Collectors.toSet());
        return PandoModule.fixture(ModuleDescriptor.newModule(name).packages(packages).build());
    }
}
