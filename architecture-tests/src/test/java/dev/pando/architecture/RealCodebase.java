package dev.pando.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;

/** The Pando modules on this test class path, their classes and the source tree, loaded once. */
final class RealCodebase {

    static final PandoModules MODULES = PandoModules.fromClassPath();
    static final PandoArchitecture ARCHITECTURE = PandoArchitecture.of(MODULES);

    private RealCodebase() {
    }

    static JavaClasses classes() {
        return Classes.ALL;
    }

    /**
     * The repository root: the parent of this module's base directory (surefire sets
     * {@code basedir}; an IDE usually runs with the module or the root as working directory).
     */
    static Path repositoryRoot() {
        Path base = Optional.ofNullable(System.getProperty("basedir"))
                .map(Path::of)
                .orElseGet(() -> Path.of("").toAbsolutePath());
        for (Path candidate = base.toAbsolutePath().normalize(); candidate != null; candidate = candidate.getParent()) {
            if (Files.isDirectory(candidate.resolve("architecture-tests"))
                    && Files.isRegularFile(candidate.resolve("pom.xml"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no repository root (a folder with pom.xml and architecture-tests/) above " + base);
    }

    private static final class Classes {
        // module-info.class is no class to check; the descriptor rules read it instead
        static final JavaClasses ALL = new ClassFileImporter()
                .withImportOption(location -> !location.contains("module-info"))
                .importLocations(MODULES.locations().stream()
                        // a jar must be named as a jar: URI, or ArchUnit looks for class files beside it
                        .map(path -> Files.isDirectory(path)
                                ? Location.of(path)
                                : Location.of(URI.create("jar:" + path.toUri() + "!/")))
                        .collect(Collectors.toList()));
    }
}
