package dev.pando.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How modules are discovered: a real module compiled here (javac) is found both as a classes
 * directory and as a jar, with its name, packages, provides and service files; a location with
 * Pando classes but no module-info is found too (rule 7 then rejects it); anything else is ignored.
 */
class ClassPathScanTest {

    private static final String MODULE = "dev.pando.scanfixture";
    private static final String PROVIDER = "dev.pando.scanfixture.FixtureTask";

    @TempDir
    static Path temp;
    private static Path classes;

    @BeforeAll
    static void compileFixtureModule() throws IOException {
        Path sources = temp.resolve("src");
        write(sources.resolve("module-info.java"),
                "module " + MODULE + " { provides java.lang.Runnable with " + PROVIDER + "; }");
        write(sources.resolve("dev/pando/scanfixture/FixtureTask.java"),
                "package dev.pando.scanfixture; public class FixtureTask implements Runnable {"
                        + " public void run() { } }");
        write(sources.resolve("dev/pando/scanfixture/internal/Helper.java"),
                "package dev.pando.scanfixture.internal; public class Helper { }");
        classes = temp.resolve("classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> arguments;
        try (Stream<Path> files = Files.walk(sources)) {
            arguments = Stream.concat(Stream.of("--release", "17", "-d", classes.toString()),
                    files.filter(f -> f.toString().endsWith(".java")).map(Path::toString))
                    .collect(Collectors.toList());
        }
        assertThat(javac.run(null, null, null, arguments.toArray(String[]::new))).isZero();
    }

    @Test
    void findsAModuleInAClassesDirectory() throws IOException {
        write(classes.resolve("META-INF/services/java.lang.Runnable"), PROVIDER + "\n");

        PandoModules found = PandoModules.scan(List.of(classes));

        assertThat(found.all()).singleElement().satisfies(module -> {
            assertThat(module.name()).isEqualTo(MODULE);
            assertThat(module.location()).contains(classes);
            assertThat(module.packages()).containsExactlyInAnyOrder(
                    "dev.pando.scanfixture", "dev.pando.scanfixture.internal");
            assertThat(module.descriptor()).hasValueSatisfying(d ->
                    assertThat(d.provides()).singleElement().satisfies(p ->
                            assertThat(p.providers()).containsExactly(PROVIDER)));
        });
        assertThat(found.ofPackage("dev.pando.scanfixture.internal")).isPresent();
        assertThat(PandoArchitecture.of(found).servicesMatchProvides.violations(found)).isEmpty();
    }

    @Test
    void findsAModuleInAJarAndItsMissingServiceFile() throws IOException {
        Path jar = temp.resolve("fixture.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).collect(Collectors.toList())) {
                out.putNextEntry(new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(file));
                out.closeEntry();
            }
        }

        PandoModules found = PandoModules.scan(List.of(jar));

        assertThat(found.named(MODULE)).hasValueSatisfying(module -> {
            assertThat(module.location()).contains(jar);
            assertThat(module.packages()).contains("dev.pando.scanfixture.internal");
        });
        assertThat(PandoArchitecture.of(found).servicesMatchProvides.violations(found)).singleElement()
                .asString().contains("has no META-INF/services/java.lang.Runnable");
    }

    @Test
    void findsPandoClassesWithoutModuleInfoAndIgnoresEverythingElse() throws IOException {
        Path plain = temp.resolve("plain");
        Path other = temp.resolve("other");
        copy(classes.resolve("dev/pando/scanfixture/FixtureTask.class"), plain.resolve("dev/pando/plain/Task.class"));
        copy(classes.resolve("dev/pando/scanfixture/FixtureTask.class"), other.resolve("org/example/Task.class"));

        PandoModules found = PandoModules.scan(List.of(plain, other, temp.resolve("does-not-exist.jar")));

        assertThat(found.all()).singleElement().satisfies(module -> {
            assertThat(module.descriptor()).isEmpty();
            assertThat(module.packages()).isEqualTo(Set.of("dev.pando.plain"));
        });
        assertThat(PandoArchitecture.of(found).explicitPandoModules.violations(found)).singleElement()
                .asString().contains("no module-info.class");
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to);
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
    }
}
