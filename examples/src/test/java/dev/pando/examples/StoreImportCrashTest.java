package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.Hash;
import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.spi.Store;
import dev.pando.testkit.support.Operations;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills {@code pando store import} (a child JVM on this test's module path) with SIGKILL at random
 * points of its input, ten times on one SQLite database, and checks after each kill that the
 * database opens, {@code store check} passes, and every log is a gap-free prefix of what was sent.
 */
class StoreImportCrashTest {
    private static final int AUTHORS = 8;
    private static final int PER_LOG = 100;
    private static final int RUNS = 10;

    @TempDir
    Path dir;

    @Test
    void everyKilledImportLeavesGapFreePrefixesOfWhatWasSent() throws Exception {
        Map<LogKey, List<Hash>> sent = new HashMap<>();
        List<List<Operation>> logs = new ArrayList<>();
        for (int a = 0; a < AUTHORS; a++) {
            List<Operation> chain = Operations.chain(Operations.key(100 + a), LogId.fromHex("0c"), PER_LOG);
            logs.add(chain);
            sent.put(new LogKey(chain.get(0).author(), chain.get(0).logId()), chain.stream().map(Operation::id).toList());
        }
        // interleaved as sync delivers many logs: seq 0 of every author, then seq 1, …
        List<byte[]> lines = new ArrayList<>();
        for (int seq = 0; seq < PER_LOG; seq++) {
            for (List<Operation> chain : logs) {
                lines.add((StoreCommandTest.line(chain.get(seq)) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        Path db = dir.resolve("crash.db");
        List<String> command = List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx128m",
                "-p", System.getProperty("jdk.module.path"),
                "-m", "dev.pando.examples/dev.pando.examples.Pando",
                "store", "import", "--db", db.toString(), "--batch", "50");
        Random random = new Random(20261125);
        long storedBefore = 0;
        List<Long> storedAfterRun = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            Process child = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            int upTo = 100 + random.nextInt(lines.size() - 100);
            OutputStream stdin = child.getOutputStream();
            try {
                for (int i = 0; i < upTo; i++) {
                    stdin.write(lines.get(i));
                }
                stdin.flush();
            } catch (IOException childGone) {
                // the child died on its own: the exit value below says why
            }
            // stdin stays open: the child cannot finish, the kill lands while it reads or writes
            child.destroyForcibly();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
            closeQuietly(stdin);

            Cli.Result check = Cli.run("store", "check", "--db", db.toString());
            assertThat(check.exit()).as(check.out()).isZero();
            long stored = assertPrefixes(db, sent);
            assertThat(stored).isGreaterThanOrEqualTo(storedBefore);
            storedBefore = stored;
            storedAfterRun.add(stored);
        }
        // the kills interrupted imports that had got somewhere
        assertThat(storedAfterRun.get(RUNS - 1)).isPositive();

        // and a last, complete import finishes the job
        Process last = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (OutputStream stdin = last.getOutputStream()) {
            for (byte[] l : lines) {
                stdin.write(l);
            }
        }
        assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(last.exitValue()).isZero();
        assertThat(assertPrefixes(db, sent)).isEqualTo((long) AUTHORS * PER_LOG);
    }

    /** Every stored log is a prefix (from seq 0, no gap) of the log sent; returns how many are stored. */
    private static long assertPrefixes(Path db, Map<LogKey, List<Hash>> sent) {
        long total = 0;
        try (Store store = StoreCommandTest.openSqlite(db)) {
            for (LogKey log : store.logs()) {
                List<Hash> ids = store.rawLog(log.author(), log.logId(), 0, PER_LOG + 1).stream()
                        .map(r -> r.id()).toList();
                assertThat(sent).containsKey(log);
                assertThat(ids).isEqualTo(sent.get(log).subList(0, ids.size()));
                total += ids.size();
            }
        }
        return total;
    }

    private static void closeQuietly(OutputStream out) {
        try {
            out.close();
        } catch (IOException alreadyBroken) {
            // the pipe's reader is dead; nothing to release beyond our end, which close did
        }
    }
}
