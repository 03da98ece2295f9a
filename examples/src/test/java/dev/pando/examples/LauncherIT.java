package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands as processes through the real {@code ./pando} launcher, for what only a real process
 * shows: the JVM's stdout (a file descriptor, not a {@code Writer}). Runs in the integration-test
 * phase (failsafe), after {@code package}, so the launcher does not rebuild.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LauncherIT {
    private static final Path LAUNCHER = Path.of("..", "pando").toAbsolutePath().normalize();

    @TempDir
    Path dir;

    @Test
    void aKeyThatCannotBeWrittenFailsTheCommand() throws Exception {
        Path err = dir.resolve("err.txt");
        Process p = start(new File("/dev/full"), err, "key", "generate");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String stderr = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(stderr).isEqualTo(1);
        assertThat(stderr).startsWith("{\"error\":\"OutputFailed\",\"message\":\"cannot write to stdout: ")
                .doesNotContain("private_key");
    }

    @Test
    void pandoAloneListsTheCommands() throws Exception {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = start(out.toFile(), err);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(err)).isZero();
        assertThat(Files.readString(out)).contains("Usage: pando", "key", "op", "store", "net", "help");
    }

    private static Process start(File out, Path err, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(LAUNCHER.toString());
        command.addAll(List.of(args));
        return new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out)
                .redirectError(err.toFile())
                .start();
    }
}
