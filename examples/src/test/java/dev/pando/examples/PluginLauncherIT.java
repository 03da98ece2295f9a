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
 * and a plug-in named like a built-in store is an error naming both modules.
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

    /** Compiles and jars module com.example.journal, whose store provider has the given name. */
    private Path plugin(String name) throws Exception {
        Path src = dir.resolve("src/com/example/journal");
        Files.createDirectories(src);
        Files.writeString(dir.resolve("src/module-info.java"), """
                module com.example.journal {
                    requires dev.pando.api;
                    uses dev.pando.spi.StoreProvider;
                    provides dev.pando.spi.StoreProvider with com.example.journal.JournalProvider;
                }
                """);
        Files.writeString(src.resolve("JournalProvider.java"), """
                package com.example.journal;

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
                """.formatted(name));
        StringBuilder modulePath = new StringBuilder();
        for (String entry : Files.readString(TARGET.resolve("modules.path")).strip().split(":")) {
            modulePath.append(modulePath.length() == 0 ? "" : File.pathSeparator).append(TARGET.resolve(entry));
        }
        Path classes = Files.createDirectories(dir.resolve("classes"));
        // the JDK's javac as a process: the tests' module does not read java.compiler
        Path log = dir.resolve("javac.txt");
        Process javac = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "--release", "17", "--module-path", modulePath.toString(), "-d", classes.toString(),
                dir.resolve("src/module-info.java").toString(), src.resolve("JournalProvider.java").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(javac.waitFor(120, TimeUnit.SECONDS)).as("javac ended").isTrue();
        assertThat(javac.exitValue()).as(Files.readString(log)).isZero();
        Path jar = dir.resolve("journal-" + name + ".jar");
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
