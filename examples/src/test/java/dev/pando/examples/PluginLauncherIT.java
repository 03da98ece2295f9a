package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third party's store plug-in, compiled here into a modular jar against the built modules, used
 * by the real {@code ./pando} launcher through {@code PANDO_MODULE_PATH} with no other step (issue
 * 13): listed by {@code providers}, picked by {@code --store}, given its {@code --store-option}s;
 * and a plug-in named like a built-in store is an error naming both modules, as is a plug-in whose
 * JPMS module is named like one of Pando's or like another plug-in's (which the JVM would skip
 * without a word).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PluginLauncherIT {
    private static final Path LAUNCHER = Path.of("..", "pando").toAbsolutePath().normalize();
    private static final Path TARGET = Path.of("target").toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void aPluginOnPandoModulePathIsListedPickedAndGivenItsOptions() throws Exception {
        Path jar = plugin("journal");
        Run list = run(Map.of("PANDO_MODULE_PATH", jar.toString()), "providers");
        assertThat(list.exit).as(list.err).isZero();
        assertThat(list.out).contains("{\"name\":\"journal\",\"module\":\"com.example.journal\","
                + "\"class\":\"com.example.journal.JournalProvider\",\"option_keys\":[\"flush\",\"path\"]}")
                .contains("\"name\":\"sqlite\"");

        Path db = dir.resolve("j.db");
        Run imported = run(Map.of("PANDO_MODULE_PATH", jar.toString()),
                "store", "import", "--store", "journal", "--db", db.toString(), "--store-option", "flush=always");
        assertThat(imported.exit).as(imported.out + imported.err).isZero();
        assertThat(imported.err).contains("journal: options {flush=always, path=" + db + "}");

        Run unknown = run(Map.of("PANDO_MODULE_PATH", jar.toString()),
                "store", "import", "--store", "journal", "--db", db.toString(), "--store-option", "fsync=1");
        assertThat(unknown.exit).isEqualTo(1);
        assertThat(unknown.out).contains("InvalidInput").contains("fsync").contains("[flush, path]");
    }

    @Test
    void aPluginNamedLikeTheBuiltInStoreIsAnErrorNamingBothModules() throws Exception {
        Path jar = plugin("sqlite");
        Run r = run(Map.of("PANDO_MODULE_PATH", jar.toString()), "providers");
        assertThat(r.exit).as(r.err).isEqualTo(1);
        assertThat(r.out).startsWith("{\"error\":\"Configuration\"")
                .contains("in module com.example.journal").contains("in module dev.pando.store.sqlite");
    }

    @Test
    void aPluginWhoseModuleIsNamedLikeOneOfPandosIsAnErrorNamingBothJars() throws Exception {
        // without the check the JVM keeps Pando's dev.pando.store.memory and skips this jar: "journal"
        // would just be missing from the list
        Path jar = plugin("dev.pando.store.memory", "journal");
        Run r = run(Map.of("PANDO_MODULE_PATH", jar.toString()), "providers");
        assertThat(r.exit).as(r.out + r.err).isEqualTo(1);
        assertThat(r.out).startsWith("{\"error\":\"Configuration\"")
                .contains("the plug-in " + jar + " was not loaded: its module dev.pando.store.memory is named like "
                        + "Pando's own module dev.pando.store.memory@")
                .contains("(" + TARGET.resolve("modules/pando-store-memory-"))
                .contains("give the plug-in's module a name of its own");
        assertThat(r.err).doesNotContain("Exception");

        // the same check for a command that opens a store
        Run imported = run(Map.of("PANDO_MODULE_PATH", jar.toString()),
                "store", "import", "--store", "memory", "--db", dir.resolve("m.db").toString());
        assertThat(imported.exit).as(imported.out + imported.err).isEqualTo(1);
        assertThat(imported.out).startsWith("{\"error\":\"Configuration\"").contains("dev.pando.store.memory");
    }

    @Test
    void twoPluginsWithOneModuleNameAreAnErrorNamingBothJars() throws Exception {
        Path first = plugin("com.example.journal", "journal");
        Path plugins = Files.createDirectories(dir.resolve("more-plugins"));
        Path second = Files.copy(first, plugins.resolve("journal-copy.jar"));
        // a directory entry, as PANDO_MODULE_PATH allows: the JVM would use first and skip second
        Run r = run(Map.of("PANDO_MODULE_PATH", first + File.pathSeparator + plugins), "providers");
        assertThat(r.exit).as(r.out + r.err).isEqualTo(1);
        assertThat(r.out).startsWith("{\"error\":\"Configuration\"")
                .contains("the plug-in " + second + " was not loaded: its module com.example.journal is named like "
                        + "the earlier plug-in " + first + " (com.example.journal)");
    }

    @Test
    void aCopyOfTheSameModuleAndVersionAsPandosIsNoClash() throws Exception {
        // a plug-in folder made with dependency:copy-dependencies also holds the pando-api jar the
        // plug-in was built against: the same module and version as Pando's, harmless
        Path plugins = Files.createDirectories(dir.resolve("copied"));
        Path api;
        try (Stream<Path> modules = Files.list(TARGET.resolve("modules"))) {
            api = modules.filter(p -> p.getFileName().toString().startsWith("pando-api-")).findFirst().orElseThrow();
        }
        Files.copy(api, plugins.resolve(api.getFileName()));
        Files.copy(plugin("journal"), plugins.resolve("journal.jar"));
        Run r = run(Map.of("PANDO_MODULE_PATH", plugins.toString()), "providers");
        assertThat(r.exit).as(r.out + r.err).isZero();
        assertThat(r.out).contains("{\"name\":\"journal\",\"module\":\"com.example.journal\"");
    }

    /** Compiles and jars module com.example.journal, whose store provider has the given name. */
    private Path plugin(String name) throws Exception {
        return plugin("com.example.journal", name);
    }

    /**
     * Compiles and jars a module of the given name holding one package of the same name, whose
     * store provider JournalProvider has the given provider name.
     */
    private Path plugin(String module, String name) throws Exception {
        Path root = Files.createDirectories(dir.resolve("build-" + module + "-" + name));
        Path src = root.resolve("src/" + module.replace('.', '/'));
        Files.createDirectories(src);
        Files.writeString(root.resolve("src/module-info.java"), """
                module %1$s {
                    requires dev.pando.api;
                    uses dev.pando.spi.StoreProvider;
                    provides dev.pando.spi.StoreProvider with %1$s.JournalProvider;
                }
                """.formatted(module));
        Files.writeString(src.resolve("JournalProvider.java"), """
                package %s;

                import dev.pando.spi.*;
                import java.util.*;

                /** Records its options on stderr, then is the built-in memory store. */
                public final class JournalProvider implements StoreProvider {
                    public String name() { return "%s"; }
                    public Set<String> optionKeys() { return Set.of("path", "flush"); }
                    public Store create(StoreContext c) {
                        System.err.println("journal: options " + new TreeMap<>(c.options().asMap()));
                        for (StoreProvider p : ServiceLoader.load(StoreProvider.class)) {
                            if (p.name().equals("memory")) {
                                return p.create(new StoreContext(ProviderOptions.empty(), c.services()));
                            }
                        }
                        throw new IllegalStateException("no memory store");
                    }
                }
                """.formatted(module, name));
        StringBuilder modulePath = new StringBuilder();
        for (String entry : Files.readString(TARGET.resolve("modules.path")).strip().split(":")) {
            modulePath.append(modulePath.length() == 0 ? "" : File.pathSeparator).append(TARGET.resolve(entry));
        }
        Path classes = Files.createDirectories(root.resolve("classes"));
        // the JDK's javac as a process: the tests' module does not read java.compiler
        Path log = root.resolve("javac.txt");
        Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "--release", "17", "--module-path", modulePath.toString(), "-d", classes.toString(),
                root.resolve("src/module-info.java").toString(), src.resolve("JournalProvider.java").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(javac.waitFor(120, TimeUnit.SECONDS)).as("javac ended").isTrue();
        assertThat(javac.exitValue()).as(Files.readString(log)).isZero();
        Path jar = root.resolve(module + "-" + name + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace(File.separatorChar, '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        return jar;
    }

    private record Run(int exit, String out, String err) {
    }

    private Run run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().remove("PANDO_JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the launcher did not end within 120 s");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
