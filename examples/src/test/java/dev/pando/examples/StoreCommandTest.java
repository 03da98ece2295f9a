package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.Hash;
import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import dev.pando.node.ProviderRegistry;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.testkit.support.Operations;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreCommandTest {
    private static final HexFormat HEX = HexFormat.of();

    @TempDir
    Path dir;

    static String line(byte[] header, byte[] body) {
        return "{\"header\":\"" + HEX.formatHex(header) + "\",\"body\":" + (body == null ? "null" : "\"" + HEX.formatHex(body) + "\"") + "}";
    }

    static String line(Operation op) {
        return line(op.headerBytes(), op.body().map(b -> b.bytes()).orElse(null));
    }

    static String lines(List<String> lines) {
        return lines.stream().map(l -> l + "\n").collect(Collectors.joining());
    }

    static Store openSqlite(Path db) {
        Store store = ProviderRegistry.load().createStore("sqlite", ProviderOptions.of("path", db.toString()), NodeServices.system());
        store.open();
        return store;
    }

    @Test
    void importExportAndCheckRoundTrip() {
        List<Operation> ops = new ArrayList<>();
        for (int a = 0; a < 3; a++) {
            ops.addAll(Operations.chain(Operations.key(a), LogId.fromHex(a == 0 ? "" : "0" + a), 20));
        }
        List<String> shuffled = new ArrayList<>(ops.stream().map(StoreCommandTest::line).toList());
        Collections.shuffle(shuffled, new Random(3));
        String db = dir.resolve("a.db").toString();

        Cli.Result imported = Cli.runWithStdin(lines(shuffled), "store", "import", "--db", db, "--batch", "7");
        assertThat(imported.exit()).isZero();
        JsonNode json = imported.json();
        assertThat(json.get("lines").asLong()).isEqualTo(60);
        assertThat(json.get("stored").asLong()).isEqualTo(60);
        assertThat(json.get("unplaced").asLong()).isZero();
        assertThat(json.get("malformed").asLong()).isZero();

        Cli.Result check = Cli.run("store", "check", "--db", db);
        assertThat(check.exit()).isZero();
        assertThat(check.json().get("ok").asBoolean()).isTrue();
        assertThat(check.json().get("operations").asLong()).isEqualTo(60);
        assertThat(check.json().get("logs").asLong()).isEqualTo(3);

        List<Operation> ordered = new ArrayList<>(ops);
        ordered.sort(Comparator.comparing(Operation::author).thenComparing(Operation::logId)
                .thenComparingLong(Operation::seqNum));
        Cli.Result export = Cli.run("store", "export", "--db", db);
        assertThat(export.exit()).isZero();
        assertThat(export.out()).isEqualTo(lines(ordered.stream().map(StoreCommandTest::line).toList()));

        PrivateKey one = Operations.key(1);
        Cli.Result onlyOne = Cli.run("store", "export", "--db", db, "--author", one.publicKey().hex(), "--log-id", "01");
        assertThat(onlyOne.out().lines()).hasSize(20).allSatisfy(l -> assertThat(l).isIn(
                ops.stream().filter(o -> o.author().equals(one.publicKey())).map(StoreCommandTest::line).toList()));

        // the export imports into another store as it was
        String db2 = dir.resolve("b.db").toString();
        assertThat(Cli.runWithStdin(export.out(), "store", "import", "--db", db2).json().get("stored").asLong())
                .isEqualTo(60);
        assertThat(Cli.run("store", "export", "--db", db2).out()).isEqualTo(export.out());
    }

    @Test
    void badInputIsCountedNothingInvalidIsStoredAndTheImportGoesOn() {
        PrivateKey alice = Operations.key(10);
        PrivateKey mallory = Operations.key(11);
        List<Operation> chain = Operations.chain(alice, LogId.EMPTY, 10);
        List<String> in = new ArrayList<>();
        chain.subList(0, 5).forEach(op -> in.add(line(op)));
        String valid = line(chain.get(1));
        in.add("not json at all");
        in.add(valid.substring(0, valid.length() / 2));                       // truncated
        in.add("{}");                                                          // no header
        in.add("{\"header\": \"zz\"}");                                        // not hex
        in.add("{\"header\": 5}");
        in.add("[1, 2]");
        in.add(valid + " {}");                                                 // trailing content
        in.add("");
        in.add(line(new byte[] {0x00}, null));                                 // Decode
        in.add(line(new HeaderBytes(alice).unsigned().bytes(), null));         // MissingSignature
        in.add(line(new HeaderBytes(alice).signedBy(mallory).bytes(), null));  // SignatureMismatch
        in.add(line(new HeaderBytes(alice).version(2).bytes(), null));         // UnsupportedVersion
        in.add(line(new HeaderBytes(alice).payload(5, null).bytes(), null));   // InconsistentPayloadInfo
        in.add(line(new HeaderBytes(alice).backlink(Hash.of(new byte[] {1})).bytes(), null)); // SeqNumMismatch
        in.add(line(new HeaderBytes(alice).seq(3).bytes(), null));             // BacklinkMissing
        byte[] wrongBody = chain.get(5).body().orElseThrow().bytes();
        wrongBody[0] ^= 1;
        in.add(line(chain.get(5).headerBytes(), wrongBody));                   // PayloadMismatch
        in.add(line(new HeaderBytes(alice).seq(5).backlink(Hash.of(new byte[] {2})).bytes(), null)); // BacklinkMismatch
        Operation fork = Operation.builder(alice).after(chain.get(1)).body(new byte[] {9}).build();
        in.add(line(fork));                                                    // Fork at seq 2
        for (int i = 0; i < 2000; i++) {
            in.add(valid);                                                     // duplicate flood
        }
        String head = lines(in);
        String tail = "\n" + lines(chain.subList(5, 10).stream().map(StoreCommandTest::line).toList());
        // a 3 MiB line between them, streamed, never a String
        InputStream huge = new InputStream() {
            long left = 3L * 1024 * 1024;

            @Override
            public int read() {
                return left-- > 0 ? 'a' : -1;
            }
        };
        InputStream stdin = new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream(head.getBytes(StandardCharsets.UTF_8)),
                new ByteArrayInputStream("{\"header\":\"".getBytes(StandardCharsets.UTF_8)), huge,
                new ByteArrayInputStream(tail.getBytes(StandardCharsets.UTF_8)))));
        String db = dir.resolve("bad.db").toString();

        Cli.Result r = Cli.runWithStdin(stdin, "store", "import", "--db", db, "--batch", "100");
        assertThat(r.exit()).isZero();
        JsonNode json = r.json();
        assertThat(json.get("malformed").asLong()).isEqualTo(8);
        assertThat(json.get("oversized").asLong()).isEqualTo(1);
        assertThat(json.get("duplicate").asLong()).isEqualTo(2000);
        assertThat(json.get("fork").asLong()).isEqualTo(1);
        assertThat(json.get("stored").asLong()).isEqualTo(10);
        JsonNode rejected = json.get("rejected");
        for (String kind : List.of("Decode", "MissingSignature", "SignatureMismatch", "UnsupportedVersion",
                "InconsistentPayloadInfo", "SeqNumMismatch", "BacklinkMissing", "PayloadMismatch", "BacklinkMismatch")) {
            assertThat(rejected.path(kind).asLong()).as(kind).isEqualTo(1);
        }
        assertThat(json.get("lines").asLong()).isEqualTo(in.size() + 1 + 5);

        assertThat(Cli.run("store", "check", "--db", db).exit()).isZero();
        try (Store store = openSqlite(Path.of(db))) {
            assertThat(store.log(alice.publicKey(), LogId.EMPTY, 0, 100)).containsExactlyElementsOf(chain);
            assertThat(store.logs()).hasSize(1);
        }
    }

    @Test
    void checkReportsAGapAndExitsOne() {
        List<Operation> chain = Operations.chain(Operations.key(20), LogId.EMPTY, 8);
        Path db = dir.resolve("gap.db");
        try (Store store = openSqlite(db)) {
            // a store accepts what it is given; the pipeline never would
            store.insertBatch(List.of(chain.get(0), chain.get(1), chain.get(5)));
        }
        Cli.Result r = Cli.run("store", "check", "--db", db.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.json().get("ok").asBoolean()).isFalse();
        assertThat(r.field("error")).isEqualTo("CheckFailed");
        assertThat(r.field("message")).isEqualTo("the store has 1 problem in its logs");
        assertThat(r.json().get("problem_count").asLong()).isEqualTo(1);
        JsonNode problem = r.json().get("problems").get(0);
        assertThat(problem.get("kind").asText()).isEqualTo("SeqNumNonIncremental");
        assertThat(problem.get("author").asText()).isEqualTo(chain.get(0).author().hex());
        assertThat(problem.get("log_id").asText()).isEmpty();
        assertThat(problem.get("seq").asLong()).isEqualTo(5);
        assertThat(problem.get("message").asText()).isNotEmpty();
    }

    @Test
    void aPassingCheckHasNoErrorKey() {
        String db = dir.resolve("fine.db").toString();
        Cli.runWithStdin(lines(Operations.chain(Operations.key(22), LogId.EMPTY, 3).stream().map(StoreCommandTest::line)
                .toList()), "store", "import", "--db", db);

        Cli.Result r = Cli.run("store", "check", "--db", db);

        assertThat(r.exit()).isZero();
        assertThat(r.json().has("error")).isFalse();
        assertThat(r.json().has("message")).isFalse();
        assertThat(r.json().get("problems")).isEmpty();
    }

    @Test
    void checkAcceptsALogThatStartsAtAPrunePoint() {
        PrivateKey key = Operations.key(21);
        List<Operation> chain = Operations.chain(key, LogId.EMPTY, 3);
        Operation prune = Operation.builder(key).after(chain.get(2)).prune(true).build();
        Operation next = Operation.builder(key).after(prune).build();
        String db = dir.resolve("pruned.db").toString();
        Cli.Result r = Cli.runWithStdin(lines(List.of(line(chain.get(0)), line(chain.get(1)), line(prune),
                line(next), line(chain.get(2)))), "store", "import", "--db", db);
        assertThat(r.json().get("stored").asLong()).isEqualTo(4);
        assertThat(r.json().get("outdated").asLong()).isEqualTo(1);
        assertThat(Cli.run("store", "export", "--db", db).out()).isEqualTo(lines(List.of(line(prune), line(next))));
        assertThat(Cli.run("store", "check", "--db", db).exit()).isZero();
    }

    @Test
    void exportAndCheckRefuseAMissingDatabase() {
        String missing = dir.resolve("nope.db").toString();
        assertThat(Cli.run("store", "check", "--db", missing).exit()).isEqualTo(1);
        assertThat(Cli.run("store", "export", "--db", missing).json().get("error").asText()).isEqualTo("InvalidInput");
        assertThat(Arrays.asList(dir.toFile().list())).doesNotContain("nope.db");
        assertThat(Cli.run("store", "import", "--db", missing, "--store", "nosuch").json().get("message").asText())
                .contains("sqlite").contains("memory");
    }

    @Test
    void exportOfAnEmptyStorePrintsNothingAndExitsZero() {
        String db = dir.resolve("empty-export.db").toString();
        assertThat(Cli.runWithStdin("", "store", "import", "--db", db).exit()).isZero();

        Cli.Result r = Cli.run("store", "export", "--db", db);

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEmpty(); // a JSON-lines command: one line per operation, here none
    }

    @Test
    void aFileThatIsNoDatabaseIsStoreCorruptNamedOnce() throws Exception {
        Path junk = dir.resolve("junk.db");
        byte[] bytes = new byte[8192];
        new Random(5).nextBytes(bytes);
        java.nio.file.Files.write(junk, bytes);

        for (String command : List.of("check", "export", "import")) {
            Cli.Result r = Cli.run("store", command, "--db", junk.toString());
            assertThat(r.exit()).as(command).isEqualTo(1);
            assertThat(r.field("error")).as(command).isEqualTo("StoreCorrupt");
            String message = r.field("message");
            assertThat(message).as(command).containsIgnoringCase("cannot open the SQLite store at " + junk)
                    .contains("not an SQLite database or it is corrupt");
            assertThat(message.toLowerCase(java.util.Locale.ROOT).split("cannot open", -1)).as(message).hasSize(2);
        }
        assertThat(java.nio.file.Files.readAllBytes(junk)).isEqualTo(bytes);
    }

    /** A database the user may read but not write: the reading commands read it, import says StoreReadOnly. */
    @Test
    void readingCommandsReadAnImmutableDatabaseAndImportSaysStoreReadOnly() throws Exception {
        List<Operation> chain = Operations.chain(Operations.key(50), LogId.EMPTY, 4);
        String in = lines(chain.stream().map(StoreCommandTest::line).toList());
        Path db = dir.resolve("immutable.db");
        assertThat(Cli.runWithStdin(in, "store", "import", "--db", db.toString()).exit()).isZero();
        org.junit.jupiter.api.Assumptions.assumeTrue(chattr("+i", db), "needs chattr and the immutable attribute");
        try {
            Cli.Result check = Cli.run("store", "check", "--db", db.toString());
            assertThat(check.exit()).as(check.out()).isZero();
            assertThat(check.json().get("operations").asLong()).isEqualTo(4);
            Cli.Result export = Cli.run("store", "export", "--db", db.toString());
            assertThat(export.exit()).as(export.out()).isZero();
            assertThat(export.out()).isEqualTo(in);

            Cli.Result imported = Cli.runWithStdin(in, "store", "import", "--db", db.toString());
            assertThat(imported.exit()).isEqualTo(1);
            assertThat(imported.field("error")).isEqualTo("StoreReadOnly");
            assertThat(imported.field("message")).contains(db.toString()).contains("read-only");
        } finally {
            assertThat(chattr("-i", db)).isTrue();
        }
    }

    /**
     * Another process in the middle of a write: export and check read the committed state at once
     * (WAL lets readers run), import waits for the lock its busy timeout long and says StoreBusy.
     */
    @Test
    void readingCommandsDoNotWaitForAWriterAndImportSaysStoreBusy() throws Exception {
        List<Operation> chain = Operations.chain(Operations.key(51), LogId.EMPTY, 3);
        String in = lines(chain.stream().map(StoreCommandTest::line).toList());
        Path db = dir.resolve("busy.db");
        assertThat(Cli.runWithStdin(in, "store", "import", "--db", db.toString()).exit()).isZero();
        Process writer;
        try {
            writer = new ProcessBuilder("sqlite3", db.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            org.junit.jupiter.api.Assumptions.abort("needs the sqlite3 command");
            return;
        }
        try (var toWriter = new java.io.PrintStream(writer.getOutputStream(), true, StandardCharsets.UTF_8);
                var fromWriter = new java.io.BufferedReader(new java.io.InputStreamReader(writer.getInputStream(),
                        StandardCharsets.UTF_8))) {
            toWriter.println("BEGIN IMMEDIATE; DELETE FROM operations; SELECT 'locked';");
            assertThat(fromWriter.readLine()).isEqualTo("locked");

            long t0 = System.nanoTime();
            Cli.Result export = Cli.run("store", "export", "--db", db.toString());
            Cli.Result check = Cli.run("store", "check", "--db", db.toString());
            long readMillis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(export.exit()).as(export.out()).isZero();
            assertThat(export.out()).isEqualTo(in);
            assertThat(check.exit()).as(check.out()).isZero();
            assertThat(check.json().get("operations").asLong()).isEqualTo(3);
            // not a timing test: a reader that waited for the lock would have failed after its 5 s
            assertThat(readMillis).as("reads took %d ms", readMillis).isLessThan(60_000);

            Cli.Result imported = Cli.runWithStdin(in, "store", "import", "--db", db.toString());
            assertThat(imported.exit()).isEqualTo(1);
            assertThat(imported.field("error")).isEqualTo("StoreBusy");
            assertThat(imported.field("message")).contains("locked by another connection or process");

            toWriter.println("ROLLBACK;");
        } finally {
            writer.getOutputStream().close();
            assertThat(writer.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Cli.run("store", "check", "--db", db.toString()).json().get("operations").asLong()).isEqualTo(3);
    }

    private static boolean chattr(String flag, Path file) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void importIntoTheMemoryStoreCountsOnly() {
        List<Operation> chain = Operations.chain(Operations.key(30), LogId.EMPTY, 5);
        Cli.Result r = Cli.runWithStdin(lines(chain.stream().map(StoreCommandTest::line).toList()),
                "store", "import", "--db", dir.resolve("unused").toString(), "--store", "memory");
        assertThat(r.json().get("stored").asLong()).isEqualTo(5);
        assertThat(dir.resolve("unused")).doesNotExist();
    }

}
