package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.testkit.support.Operations;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code store import}: bounded options, allocation by need, resources, exit codes and progress. */
class StoreImportLimitsTest {
    @TempDir
    Path dir;

    private String db() {
        return dir.resolve("limits.db").toString();
    }

    @Test
    void outOfRangeOptionsAreUsageErrorsThatNameTheRange() {
        for (String bad : List.of("0", "-1", "100001", "1000000000", "2147483647")) {
            Cli.Result r = Cli.runWithStdin("", "store", "import", "--db", db(), "--batch", bad);
            assertThat(r.exit()).as("--batch %s", bad).isEqualTo(2);
            assertThat(r.field("error")).isEqualTo("Usage");
            assertThat(r.field("message")).isEqualTo("--batch must be between 1 and 100000, got " + bad);
        }
        for (String bad : List.of("0", "67108865", "100000000", "2147483647")) {
            Cli.Result r = Cli.runWithStdin("", "store", "import", "--db", db(), "--max-line", bad);
            assertThat(r.exit()).as("--max-line %s", bad).isEqualTo(2);
            assertThat(r.field("message")).isEqualTo("--max-line must be between 1 and 67108864 (64 MiB), got " + bad);
        }
        assertThat(Path.of(db())).as("nothing was opened").doesNotExist();
    }

    @Test
    void theLargestOptionsOnAFewLinesCostLittle() {
        List<Operation> chain = Operations.chain(Operations.key(40), LogId.EMPTY, 5);
        long before = usedHeap();

        Cli.Result r = Cli.runWithStdin(StoreCommandTest.lines(chain.stream().map(StoreCommandTest::line).toList()),
                "store", "import", "--db", db(), "--batch", "100000", "--max-line", "67108864");

        assertThat(r.exit()).isZero();
        assertThat(r.json().get("stored").asLong()).isEqualTo(5);
        // not a proof (the collector runs when it likes), but 100,000 slots or 64 MiB reserved up front would show
        assertThat(usedHeap() - before).isLessThan(48L * 1024 * 1024);
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void emptyInputStoresNothingExitsZeroAndLeavesOnlyTheDatabaseFile() throws IOException {
        Cli.Result r = Cli.runWithStdin("", "store", "import", "--db", db());

        assertThat(r.exit()).isZero();
        assertThat(r.json().get("lines").asLong()).isZero();
        assertThat(r.json().has("error")).isFalse();
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("limits.db");
        }
    }

    @Test
    void linesOfWhichNoneCanBeStoredExitOneWithTheCounts() {
        Operation op = Operations.chain(Operations.key(41), LogId.EMPTY, 2).get(1); // its predecessor never comes
        Cli.Result r = Cli.runWithStdin("not json\n{}\n" + StoreCommandTest.line(op) + "\n", "store", "import", "--db", db());

        assertThat(r.exit()).isEqualTo(1);
        JsonNode json = r.json();
        assertThat(json.get("error").asText()).isEqualTo("NothingStored");
        assertThat(json.get("message").asText()).startsWith("none of the 3 lines could be stored");
        assertThat(json.get("lines").asLong()).isEqualTo(3);
        assertThat(json.get("malformed").asLong()).isEqualTo(2);
        assertThat(json.get("unplaced").asLong()).isEqualTo(1);
        assertThat(json.get("stored").asLong()).isZero();
    }

    @Test
    void importingTheSameLinesAgainIsNoFailure() {
        String in = StoreCommandTest.lines(Operations.chain(Operations.key(42), LogId.EMPTY, 3).stream()
                .map(StoreCommandTest::line).toList());
        assertThat(Cli.runWithStdin(in, "store", "import", "--db", db()).exit()).isZero();

        Cli.Result again = Cli.runWithStdin(in, "store", "import", "--db", db());

        assertThat(again.exit()).isZero();
        assertThat(again.json().get("duplicate").asLong()).isEqualTo(3);
        assertThat(again.json().has("error")).isFalse();
    }

    @Test
    void aHeaderOverTheIngestLimitIsCountedNotStored() {
        byte[] header = new byte[64 * 1024 + 1];
        String line = "{\"header\":\"" + HexFormat.of().formatHex(header) + "\"}\n";

        Cli.Result r = Cli.runWithStdin(line, "store", "import", "--db", db());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.json().get("header_too_large").asLong()).isEqualTo(1);
        assertThat(r.json().get("rejected")).isEmpty();
        assertThat(r.field("error")).isEqualTo("NothingStored");
    }

    @Test
    void progressGoesToStderrNeverIntoTheJson() {
        List<Operation> chain = Operations.chain(Operations.key(43), LogId.EMPTY, 20);
        String in = StoreCommandTest.lines(chain.stream().map(StoreCommandTest::line).toList());

        Cli.Result r = Cli.runWithStdin(in, "store", "import", "--db", db(), "--progress");

        assertThat(r.json().get("stored").asLong()).isEqualTo(20); // stdout is still exactly one JSON object
        assertThat(r.err()).contains("import: 20 lines").contains("stored 20");
        Cli.Result quiet = Cli.runWithStdin(in, "store", "import", "--db", db(), "--no-progress");
        assertThat(quiet.err()).isEmpty();
        // in-process tests write stderr to a pipe: no progress unless asked for
        assertThat(Cli.runWithStdin(in, "store", "import", "--db", db()).err()).isEmpty();
    }

    /**
     * A 50 MB line under a 64 MiB heap with --max-line at its maximum: the JVM cannot hold it, and
     * the import says so as its JSON error instead of dying with a stack trace.
     */
    @Test
    void runningOutOfMemoryIsAJsonError() throws Exception {
        List<String> command = List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                "-p", System.getProperty("jdk.module.path"),
                "-m", "dev.pando.examples/dev.pando.examples.Pando",
                "store", "import", "--db", db(), "--max-line", "67108864");
        Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread feeder = new Thread(() -> {
            try (OutputStream stdin = child.getOutputStream()) {
                InputStream line = new SequenceInputStream(Collections.enumeration(List.of(
                        new ByteArrayInputStream("{\"header\":\"".getBytes(StandardCharsets.US_ASCII)),
                        new RepeatedByte('a', 50L * 1000 * 1000),
                        new ByteArrayInputStream("\"}\n".getBytes(StandardCharsets.US_ASCII)))));
                line.transferTo(stdin);
            } catch (IOException childStoppedReading) {
                // it gave up on the line: the exit code and stdout say how
            }
        }, "feeder");
        feeder.start();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        feeder.join(TimeUnit.SECONDS.toMillis(60));

        assertThat(child.exitValue()).as(out).isEqualTo(1);
        assertThat(out).startsWith("{\"error\":\"ResourceExhausted\",\"message\":\"ran out of memory")
                .contains("--max-line").endsWith("}\n");
        assertThat(out.indexOf('\n')).isEqualTo(out.length() - 1);
    }

    /** {@code count} copies of one byte, streamed. */
    private static final class RepeatedByte extends InputStream {
        private final byte value;
        private long left;

        RepeatedByte(char value, long count) {
            this.value = (byte) value;
            this.left = count;
        }

        @Override
        public int read() {
            return left-- > 0 ? value : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, value);
            left -= n;
            return n;
        }
    }
}
