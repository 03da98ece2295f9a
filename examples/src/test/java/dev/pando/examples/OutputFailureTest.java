package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stdout that cannot be written (a full disk, {@code > /dev/full}) fails the command: exit 1, the error on stderr. */
class OutputFailureTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void keyGenerateIntoAFullDiskFails() throws IOException {
        Cli.Result r = Cli.runWithFullStdout("key", "generate");
        assertThat(r.exit()).isEqualTo(1);
        JsonNode error = stderrJson(r);
        assertThat(error.get("error").asText()).isEqualTo("OutputFailed");
        assertThat(error.get("message").asText()).contains("stdout", "No space left on device");
        assertThat(r.err()).doesNotContain("private_key");
    }

    @Test
    void opCreateAndHelpIntoAFullDiskFail() throws IOException {
        Cli.Result create = Cli.runWithFullStdout("op", "create", "--key-hex", PandoCliTest.KEY);
        assertThat(create.exit()).isEqualTo(1);
        assertThat(stderrJson(create).get("error").asText()).isEqualTo("OutputFailed");

        Cli.Result help = Cli.runWithFullStdout("--help");
        assertThat(help.exit()).isEqualTo(1);
        assertThat(stderrJson(help).get("error").asText()).isEqualTo("OutputFailed");
    }

    @Test
    void anErrorThatCannotBePrintedOnStdoutGoesToStderr() throws IOException {
        Cli.Result usage = Cli.runWithFullStdout("key", "generate", "--colour");
        assertThat(usage.exit()).isEqualTo(2);
        assertThat(usage.err()).contains("\"error\":\"Usage\"", "--colour");

        Cli.Result invalid = Cli.runWithFullStdout("op", "inspect", "8701");
        assertThat(invalid.exit()).isEqualTo(1);
        assertThat(stderrJson(invalid).get("error").asText()).isEqualTo("Decode");
    }

    @Test
    void storeExportIntoAFullDiskFails() throws IOException {
        String db = dir.resolve("export.db").toString();
        Operation op = Operation.builder(PrivateKey.generate()).body(new byte[] {1, 2, 3}).build();
        Cli.Result imported = Cli.runWithStdin(StoreCommandTest.line(op) + "\n", "store", "import", "--db", db);
        assertThat(imported.exit()).as(imported.out()).isZero();

        Cli.Result export = Cli.runWithFullStdout("store", "export", "--db", db);
        assertThat(export.exit()).isEqualTo(1);
        assertThat(export.err()).contains("\"error\":\"OutputFailed\"");
    }

    /** The first line of stderr that is a JSON object. */
    private static JsonNode stderrJson(Cli.Result r) throws IOException {
        for (String line : r.err().split("\n")) {
            if (line.startsWith("{")) {
                return MAPPER.readTree(line);
            }
        }
        throw new AssertionError("no JSON on stderr: <" + r.err() + ">");
    }
}
