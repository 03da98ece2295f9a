package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./pando} script itself, copied into a scratch tree with a stand-in {@code mvn} (which
 * writes the files a build leaves) and {@code java} (which prints its arguments): when it builds,
 * what it says on stderr while doing so, and how it starts the JVM. No real build runs.
 */
class LauncherScriptTest {
    private static final Path LAUNCHER = Path.of("..", "pando").toAbsolutePath().normalize();

    @TempDir
    Path root;

    private Path bin;

    @BeforeEach
    void scratchTree() throws IOException {
        Files.copy(LAUNCHER, root.resolve("pando"));
        Files.setPosixFilePermissions(root.resolve("pando"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path source = root.resolve("examples/src/main/java/X.java");
        Files.createDirectories(source.getParent());
        Files.writeString(root.resolve("pom.xml"), "<project/>");
        Files.writeString(source, "class X {}");
        FileTime past = FileTime.from(Instant.now().minusSeconds(600));
        Files.setLastModifiedTime(root.resolve("pom.xml"), past);
        Files.setLastModifiedTime(source, past);

        bin = Files.createDirectory(root.resolve("bin"));
        script(bin.resolve("mvn"), """
                #!/bin/sh
                echo "mvn $*" >> mvn.log
                mkdir -p examples/target/modules
                : > examples/target/pando-examples-0.1.0.jar
                : > examples/target/modules/dep.jar
                : > examples/target/modules/netty-codec-native-quic-4.2.18.Final-linux-aarch_64.jar
                printf "${PANDO_TEST_MODULES:-modules/dep.jar}" > examples/target/modules.path
                """);
        script(bin.resolve("java"), """
                #!/bin/sh
                echo "java $*"
                """);
    }

    @Test
    void saysOnStderrWhenItBuildsAndOnlyThen() throws Exception {
        Run first = run("--version");
        assertThat(first.exit).as(first.err).isZero();
        assertThat(first.err).isEqualTo("pando: building Pando (first run, about 30 s)…\n");
        assertThat(Files.readAllLines(root.resolve("mvn.log"))).containsExactly("mvn -B -q -DskipTests package");

        Run second = run("--version");
        assertThat(second.exit).isZero();
        assertThat(second.err).isEmpty();
        assertThat(Files.readAllLines(root.resolve("mvn.log"))).hasSize(1);

        // a source newer than the last build
        Files.setLastModifiedTime(root.resolve("pom.xml"), FileTime.from(Instant.now().plusSeconds(600)));
        Run third = run("--version");
        assertThat(third.exit).isZero();
        assertThat(third.err).isEqualTo("pando: rebuilding Pando (sources changed)…\n");
        assertThat(Files.readAllLines(root.resolve("mvn.log"))).hasSize(2);
    }

    @Test
    void addsTheNativeQuicModuleOfThePlatformTheBuildPicked() throws Exception {
        Run r = run(java.util.Map.of("PANDO_TEST_MODULES",
                "modules/dep.jar:modules/netty-codec-native-quic-4.2.18.Final-linux-aarch_64.jar"), "net", "listen");
        assertThat(r.exit).isZero();
        String target = root.resolve("examples/target").toRealPath().toString();
        assertThat(r.out.strip()).isEqualTo("java --add-modules io.netty.codec.quic.linux.aarch_64 "
                + "--enable-native-access=io.netty.common,org.xerial.sqlitejdbc "
                + "-p " + target + "/pando-examples-0.1.0.jar:" + target + "/modules/dep.jar:" + target
                + "/modules/netty-codec-native-quic-4.2.18.Final-linux-aarch_64.jar "
                + "-m dev.pando.examples/dev.pando.examples.Pando net listen");
    }

    @Test
    void withoutANativeQuicJarItStillStarts() throws Exception {
        Run r = run("key", "generate");
        assertThat(r.exit).isZero();
        String target = root.resolve("examples/target").toRealPath().toString();
        // a short command: C1 only (no class-data archive here: this java makes none)
        assertThat(r.out.strip()).isEqualTo("java --enable-native-access=io.netty.common,org.xerial.sqlitejdbc "
                + "-XX:TieredStopAtLevel=1 "
                + "-p " + target + "/pando-examples-0.1.0.jar:" + target + "/modules/dep.jar "
                + "-m dev.pando.examples/dev.pando.examples.Pando key generate");
    }

    @Test
    void appendsThePluginsFolderAndPandoModulePathToTheModulePath() throws Exception {
        Path plugins = Files.createDirectory(root.resolve("plugins"));
        Files.writeString(plugins.resolve("b-store.jar"), "");
        Files.writeString(plugins.resolve("a-transport.jar"), "");
        Files.writeString(plugins.resolve("README.txt"), "not a jar");
        Path extra = Files.writeString(root.resolve("extra.jar"), "");
        Path dir = Files.createDirectory(root.resolve("libs"));
        Run r = run(java.util.Map.of("PANDO_MODULE_PATH", extra + "::" + dir, "PANDO_JAVA_OPTS", "-Xmx64m"), "providers");
        assertThat(r.exit).as(r.err).isZero();
        String real = root.toRealPath().toString();
        String target = real + "/examples/target";
        String pluginPath = real + "/plugins/a-transport.jar:" + real + "/plugins/b-store.jar:" + extra + ":" + dir;
        // the plug-in entries are also named in pando.plugin.path, for the module-name check (PluginModules)
        assertThat(r.out.strip()).isEqualTo("java --enable-native-access=io.netty.common,org.xerial.sqlitejdbc "
                + "-Dpando.plugin.path=" + pluginPath + " -XX:TieredStopAtLevel=1 -Xmx64m "
                + "-p " + target + "/pando-examples-0.1.0.jar:" + target + "/modules/dep.jar:" + pluginPath + " "
                + "-m dev.pando.examples/dev.pando.examples.Pando providers");
    }

    @Test
    void makesAClassDataArchiveOncePerBuildAndUsesItWithoutPlugIns() throws Exception {
        // a java that, asked to, writes an archive and logs the training run
        Path trained = root.resolve("trained.log");
        script(bin.resolve("java"), """
                #!/bin/sh
                for a in "$@"; do
                  case "$a" in -XX:ArchiveClassesAtExit=*) echo archive > "${a#-XX:ArchiveClassesAtExit=}"; echo "$*" >> %s ;; esac
                done
                echo "java $*"
                """.formatted(trained));
        Run first = run("node");
        assertThat(first.exit).as(first.err).isZero();
        String target = root.resolve("examples/target").toRealPath().toString();
        assertThat(Files.readAllLines(trained)).hasSize(1).allMatch(l -> l.endsWith("key generate"));
        assertThat(root.resolve("examples/target/pando.jsa")).exists();
        // a long-running command keeps C2, and gets the archive
        assertThat(first.out.strip()).isEqualTo("java --enable-native-access=io.netty.common,org.xerial.sqlitejdbc "
                + "-XX:SharedArchiveFile=" + target + "/pando.jsa -Xlog:cds*=off "
                + "-p " + target + "/pando-examples-0.1.0.jar:" + target + "/modules/dep.jar "
                + "-m dev.pando.examples/dev.pando.examples.Pando node");

        assertThat(run("key", "generate").out).contains("-XX:SharedArchiveFile=");
        assertThat(Files.readAllLines(trained)).as("made once").hasSize(1);

        // a new build: made again
        Files.setLastModifiedTime(root.resolve("pom.xml"), FileTime.from(Instant.now().plusSeconds(600)));
        assertThat(run("key", "generate").out).contains("-XX:SharedArchiveFile=");
        assertThat(Files.readAllLines(trained)).as("made again after a build").hasSize(2);

        assertThat(run(java.util.Map.of("PANDO_CDS", "off"), "key", "generate").out).doesNotContain("SharedArchiveFile");
        Files.writeString(Files.createDirectory(root.resolve("plugins")).resolve("p.jar"), "");
        assertThat(run("key", "generate").out).as("not with plug-ins").doesNotContain("SharedArchiveFile");
    }

    @Test
    void shortCommandsAndTheChatRunWithC1OnlyTheOthersWithC2() throws Exception {
        for (String c1 : List.of("key", "op", "providers", "chat", "--help", "--version")) {
            assertThat(run(c1).out).as(c1).contains(" -XX:TieredStopAtLevel=1 ");
        }
        for (String c2 : List.of("node", "relay", "store", "net")) {
            assertThat(run(c2).out).as(c2).doesNotContain("TieredStopAtLevel");
        }
    }

    @Test
    void refusesAPandoModulePathEntryThatDoesNotExist() throws Exception {
        Run r = run(java.util.Map.of("PANDO_MODULE_PATH", root.resolve("missing.jar").toString()), "providers");
        assertThat(r.exit).isEqualTo(1);
        assertThat(r.out).isEmpty();
        assertThat(r.err).isEqualTo("pando: PANDO_MODULE_PATH names " + root.resolve("missing.jar") + ", which does not exist.\n");
    }

    @Test
    void aTemplateProjectsSourcesAreNotPandosAndTriggerNoRebuild() throws Exception {
        assertThat(run("--version").exit).isZero();
        FileTime future = FileTime.from(Instant.now().plusSeconds(600));
        Path template = root.resolve("templates/store-plugin/src/main/java/Y.java");
        Files.createDirectories(template.getParent());
        Files.writeString(template, "class Y {}");
        Files.setLastModifiedTime(template, future);
        Files.writeString(root.resolve("templates/store-plugin/pom.xml"), "<project/>");
        Files.setLastModifiedTime(root.resolve("templates/store-plugin/pom.xml"), future);

        Run r = run("--version");
        assertThat(r.exit).as(r.err).isZero();
        assertThat(r.err).isEmpty();
        assertThat(Files.readAllLines(root.resolve("mvn.log"))).as("builds").hasSize(1);
    }

    @Test
    void refusesAModulePathInPandoJavaOptsInsteadOfOverridingIt() throws Exception {
        java.util.Map<String, String> flagged = java.util.Map.of(
                "-Xmx64m -p my.jar", "-p", "--module-path my.jar", "--module-path", "--module-path=my.jar", "--module-path=my.jar");
        for (var e : flagged.entrySet()) {
            Run r = run(java.util.Map.of("PANDO_JAVA_OPTS", e.getKey()), "providers");
            assertThat(r.exit).as(e.getKey()).isEqualTo(1);
            assertThat(r.out).as(e.getKey()).isEmpty();
            assertThat(r.err).as(e.getKey())
                    .startsWith("pando: PANDO_JAVA_OPTS must not set the module path (" + e.getValue() + "): the launcher sets it.")
                    .contains("PANDO_MODULE_PATH=").contains("/plugins/");
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private Run run(String... args) throws Exception {
        return run(java.util.Map.of(), args);
    }

    private Run run(java.util.Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(root.resolve("pando").toString()));
        command.addAll(List.of(args));
        Path out = root.resolve("out.txt");
        Path err = root.resolve("err.txt");
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(root.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
        pb.environment().remove("PANDO_JAVA_OPTS");
        pb.environment().remove("PANDO_CDS");
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the launcher did not end within 60 s");
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static void script(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
