package dev.pando.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import dev.pando.StoreException;
import dev.pando.TopicId;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.RawOperation;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.testkit.support.Operations;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/** What only a file-backed store has: reopening, migrations, and files it must refuse. */
class SqliteStoreFilesTest {
    private static final PrivateKey ALICE = Operations.key(1);
    private static final PrivateKey BOB_KEY = Operations.key(2);
    private static final LogId LOG = LogId.fromHex("0102");
    private static final TopicId TOPIC = TopicId.named("files");

    @TempDir
    Path dir;

    private Store open(Path file, String... moreOptions) {
        ProviderOptions options = ProviderOptions.of(moreOptions).with("path", file.toString());
        Store store = new SqliteStoreProvider().create(new StoreContext(options));
        store.open();
        return store;
    }

    private static Connection raw(Path file) throws SQLException {
        return new SQLiteConfig().createConnection("jdbc:sqlite:" + file);
    }

    private static String query(Path file, String sql) throws SQLException {
        try (Connection c = raw(file); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void execute(Path file, String... statements) throws SQLException {
        try (Connection c = raw(file); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    @Test
    void integrityCheckFindsNothingInAHealthyFileAndReportsADamagedPage() throws Exception {
        Path file = dir.resolve("integrity.sqlite");
        try (Store store = open(file)) {
            store.insertBatch(Operations.chain(ALICE, LOG, 300));
            assertThat(store.checkIntegrity()).isEmpty();
        }
        // overwrite the file's last page (a b-tree page of the operations or an index) with noise;
        // the first page, with the schema, stays intact so the store still opens
        long pageSize = Long.parseLong(query(file, "PRAGMA page_size"));
        long length = java.nio.file.Files.size(file);
        assertThat(length).isGreaterThan(4 * pageSize);
        byte[] noise = new byte[(int) pageSize];
        new java.util.Random(7).nextBytes(noise);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(noise), length - pageSize);
        }
        try (Store store = open(file)) {
            List<String> problems;
            try {
                problems = store.checkIntegrity();
            } catch (dev.pando.StoreException e) {
                problems = List.of(e.getMessage()); // SQLite may give up on the page at once
            }
            assertThat(problems).isNotEmpty();
        }
    }

    @Test
    void everythingSurvivesClosingAndReopening() {
        Path file = dir.resolve("reopen.sqlite");
        List<Operation> ops = Operations.chain(ALICE, LOG, 20);
        Operation unsorted = Operations.withUnsortedExtensions(Operations.key(2), LOG, new byte[] {1});
        try (Store store = open(file)) {
            store.insertBatch(ops);
            store.insert(unsorted);
            store.deletePayload(ops.get(3).id());
            store.addToTopic(TOPIC, new LogKey(ALICE.publicKey(), LOG));
        }

        try (Store store = open(file)) {
            assertThat(store.log(ALICE.publicKey(), LOG, 0, 100)).hasSize(20);
            assertThat(store.get(ops.get(3).id()).orElseThrow().body()).isEmpty();
            assertThat(store.get(ops.get(4).id())).contains(ops.get(4));
            RawOperation raw = store.getRaw(unsorted.id()).orElseThrow();
            assertThat(raw.header()).isEqualTo(unsorted.headerBytes());
            assertThat(store.topicLogs(TOPIC)).containsExactly(new LogKey(ALICE.publicKey(), LOG));
            assertThat(store.heights(LOG)).containsEntry(ALICE.publicKey(), 19L);
        }
    }

    @Test
    void aNewFileGetsTheLatestSchemaAndWal() throws Exception {
        Path file = dir.resolve("new.sqlite");
        open(file).close();

        assertThat(query(file, "PRAGMA user_version")).isEqualTo(String.valueOf(Schema.LATEST));
        assertThat(query(file, "PRAGMA application_id")).isEqualTo(String.valueOf(Schema.APPLICATION_ID));
        assertThat(query(file, "PRAGMA journal_mode")).isEqualTo("wal");
    }

    @Test
    void theJournalModeOptionIsApplied() throws Exception {
        Path file = dir.resolve("delete-journal.sqlite");
        try (Store store = open(file, "journal_mode", "delete")) {
            store.insert(Operations.chain(ALICE, LOG, 1).get(0));
        }

        assertThat(query(file, "PRAGMA journal_mode")).isEqualTo("delete");
    }

    @Test
    void closingReleasesEveryConnection() {
        Path file = dir.resolve("close.sqlite");
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        Store store = open(file);
        store.insertBatch(Operations.chain(ALICE, LOG, 10));
        store.log(ALICE.publicKey(), LOG, 0, 10);
        assertThat(dir.resolve("close.sqlite-wal")).exists();

        store.close();

        // the last connection to close checkpoints and removes the WAL: nothing is left open
        assertThat(dir.resolve("close.sqlite-wal")).doesNotExist();
        assertThat(dir.resolve("close.sqlite-shm")).doesNotExist();
        Set<Thread> after = new HashSet<>(Thread.getAllStackTraces().keySet());
        after.removeAll(before);
        assertThat(after).as("threads started by the store and still alive").isEmpty();
    }

    @Test
    void createDoesNoIoOpenDoes() {
        Path missingDir = dir.resolve("missing").resolve("db.sqlite");
        Path fresh = dir.resolve("fresh.sqlite");
        SqliteStoreProvider provider = new SqliteStoreProvider();

        Store notYet = provider.create(new StoreContext(ProviderOptions.of("path", missingDir.toString())));
        Store unopened = provider.create(new StoreContext(ProviderOptions.of("path", fresh.toString())));

        assertThat(fresh).doesNotExist();
        unopened.close();
        assertThat(fresh).doesNotExist();
        assertThatThrownBy(notYet::open).isInstanceOfSatisfying(StoreException.class, e -> {
            assertThat(e.reason()).isEqualTo(StoreException.Reason.CANNOT_OPEN);
            assertThat(e).hasMessageContaining(missingDir.toString()).hasMessageContaining("does not exist");
        });
        assertThatThrownBy(notYet::open).as("a store that failed to open is closed").isInstanceOf(IllegalStateException.class);
        notYet.close();
    }

    @Test
    void aReadOnlyStoreReadsChangesNothingAndLeavesNoFiles() throws Exception {
        Path file = dir.resolve("read-only.sqlite");
        List<Operation> ops = Operations.chain(ALICE, LOG, 10);
        try (Store store = open(file)) {
            store.insertBatch(ops);
            store.addToTopic(TOPIC, new LogKey(ALICE.publicKey(), LOG));
        }
        byte[] before = Files.readAllBytes(file);

        try (Store store = open(file, "read_only", "true")) {
            assertThat(store.log(ALICE.publicKey(), LOG, 0, 100)).containsExactlyElementsOf(ops);
            assertThat(store.logs()).containsExactly(new LogKey(ALICE.publicKey(), LOG));
            assertThat(store.topicLogs(TOPIC)).hasSize(1);
            assertThat(store.checkIntegrity()).isEmpty();
            Operation more = Operations.chain(BOB_KEY, LOG, 1).get(0);
            List<Runnable> writes = List.of(() -> store.insert(more), () -> store.insertBatch(List.of(more)),
                    () -> store.delete(ops.get(0).id()), () -> store.deletePayload(ops.get(0).id()),
                    () -> store.prune(ALICE.publicKey(), LOG, 5), () -> store.deletePayloads(ALICE.publicKey(), LOG, 0, 9),
                    () -> store.addToTopic(TOPIC, new LogKey(BOB_KEY.publicKey(), LOG)),
                    () -> store.removeFromTopic(TOPIC, new LogKey(ALICE.publicKey(), LOG)));
            for (int i = 0; i < writes.size(); i++) {
                assertThatThrownBy(writes.get(i)::run).as("write %d", i).isInstanceOfSatisfying(StoreException.class,
                        e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.READ_ONLY));
            }
            assertThat(store.log(ALICE.publicKey(), LOG, 0, 100)).containsExactlyElementsOf(ops);
        }

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
        assertThat(dir.resolve("read-only.sqlite-wal")).doesNotExist();
        assertThat(dir.resolve("read-only.sqlite-shm")).doesNotExist();
    }

    @Test
    void aReadOnlyStoreReadsWhileAnotherProcessWritesWithoutWaiting() throws Exception {
        Path file = dir.resolve("busy-read.sqlite");
        List<Operation> ops = Operations.chain(ALICE, LOG, 3);
        try (Store store = open(file)) {
            store.insertBatch(ops.subList(0, 2));
        }
        try (Connection other = raw(file); Statement s = other.createStatement()) {
            s.execute("BEGIN IMMEDIATE"); // another process in the middle of a write
            s.execute("DELETE FROM operations");

            // busy_timeout 0: any wait for the lock would fail at once
            try (Store store = open(file, "read_only", "true", "busy_timeout", "0ms")) {
                assertThat(store.log(ALICE.publicKey(), LOG, 0, 10)).as("the committed state")
                        .containsExactlyElementsOf(ops.subList(0, 2));
            }
            // a writable store must take the write lock to open (migration check), and cannot
            assertThatThrownBy(() -> open(file, "busy_timeout", "0ms")).isInstanceOfSatisfying(StoreException.class,
                    e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.BUSY));

            s.execute("ROLLBACK");
        }
        assertThat(dir.resolve("busy-read.sqlite-wal")).doesNotExist();
    }

    @Test
    void aReadOnlyStoreRefusesWhatItCannotRead() throws Exception {
        Path missing = dir.resolve("missing.sqlite");
        assertThatThrownBy(() -> open(missing, "read_only", "true")).isInstanceOfSatisfying(StoreException.class, e -> {
            assertThat(e.reason()).isEqualTo(StoreException.Reason.CANNOT_OPEN);
            assertThat(e).hasMessageContaining(missing.toString()).hasMessageContaining("no such file");
        });
        assertThat(missing).doesNotExist();

        Path empty = Files.createFile(dir.resolve("empty.sqlite"));
        assertThatThrownBy(() -> open(empty, "read_only", "true")).isInstanceOfSatisfying(StoreException.class, e -> {
            assertThat(e.reason()).isEqualTo(StoreException.Reason.INCOMPATIBLE);
            assertThat(e).hasMessageContaining("no Pando store yet");
        });
        assertThat(Files.size(empty)).isZero();

        Path newer = dir.resolve("newer-read.sqlite");
        open(newer).close();
        execute(newer, "PRAGMA user_version = " + (Schema.LATEST + 1));
        assertThatThrownBy(() -> open(newer, "read_only", "true")).isInstanceOfSatisfying(StoreException.class,
                e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.INCOMPATIBLE));
        assertThat(dir.resolve("newer-read.sqlite-wal")).doesNotExist();
    }

    @Test
    void openingANewFileAndClosingItAtOnceLeavesNoWalFiles() {
        // what `pando store import < /dev/null` does
        Path file = dir.resolve("at-once.sqlite");
        open(file).close();

        assertThat(file).exists();
        assertThat(dir.resolve("at-once.sqlite-wal")).doesNotExist();
        assertThat(dir.resolve("at-once.sqlite-shm")).doesNotExist();
    }

    @Test
    void aWriteLockHeldByAnotherProcessEndsInAStoreExceptionAfterBusyTimeout() throws Exception {
        Path file = dir.resolve("busy.sqlite");
        Operation first = Operations.chain(ALICE, LOG, 1).get(0);
        try (Store store = open(file, "busy_timeout", "100ms")) {
            try (Connection other = raw(file); Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE"); // what another process writing the file does

                assertThatThrownBy(() -> store.insert(first)).isInstanceOf(StoreException.class)
                        .hasMessageContaining(file.toString())
                        .hasMessageContaining("locked by another connection or process")
                        .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.BUSY));
                assertThat(store.has(first.id())).as("reads go on while the lock is held").isFalse();

                s.execute("ROLLBACK");
            }
            assertThat(store.insert(first)).isTrue();
        }
    }

    @Test
    void aFileWrittenByANewerSchemaIsRefusedAndLeftUnchanged() throws Exception {
        Path file = dir.resolve("newer.sqlite");
        open(file).close();
        int newer = Schema.LATEST + 1;
        execute(file, "PRAGMA user_version = " + newer);
        byte[] before = Files.readAllBytes(file);

        assertThatThrownBy(() -> open(file)).isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("written by a newer Pando (schema " + newer + ", this build knows up to "
                        + Schema.LATEST + ")");

        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }

    @Test
    void aFileOfRandomBytesIsRefused() throws Exception {
        Path file = dir.resolve("random.sqlite");
        byte[] junk = new byte[16 * 1024];
        new Random(1).nextBytes(junk);
        Files.write(file, junk);

        assertThatThrownBy(() -> open(file)).isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not an SQLite database or it is corrupt");

        assertThat(Files.readAllBytes(file)).isEqualTo(junk);
    }

    @Test
    void aTruncatedFileIsRefused() throws Exception {
        Path file = dir.resolve("truncated.sqlite");
        try (Store store = open(file)) {
            store.insertBatch(Operations.chain(ALICE, LOG, 300, 200));
        }
        long size = Files.size(file);
        assertThat(size).isGreaterThan(64 * 1024);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size / 2);
        }

        assertThatThrownBy(() -> open(file).close()).isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("corrupt");
    }

    @Test
    void anSqliteFileOfAnotherApplicationIsRefused() throws Exception {
        Path tables = dir.resolve("notes.sqlite");
        execute(tables, "CREATE TABLE notes (text TEXT)");
        Path marked = dir.resolve("marked.sqlite");
        execute(marked, "PRAGMA application_id = 42");

        assertThatThrownBy(() -> open(tables)).isInstanceOf(StoreException.class)
                .hasMessageContaining(tables.toString()).hasMessageContaining("tables that Pando did not create");
        assertThatThrownBy(() -> open(marked)).isInstanceOf(StoreException.class)
                .hasMessageContaining(marked.toString()).hasMessageContaining("another application");
        assertThat(query(tables, "SELECT COUNT(*) FROM sqlite_master")).isEqualTo("1");
    }

    @Test
    void aMissingDirectoryIsNamed() {
        Path file = dir.resolve("no-such-dir").resolve("db.sqlite");

        assertThatThrownBy(() -> open(file)).isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("does not exist");
        assertThat(dir.resolve("no-such-dir")).doesNotExist();
    }

    @Test
    void aPathUnderARegularFileIsNamed() throws IOException {
        Path notADir = Files.writeString(dir.resolve("plain-file"), "x");
        Path file = notADir.resolve("db.sqlite");

        assertThatThrownBy(() -> open(file)).isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("is not a directory");
    }

    @Test
    void aDirectoryWhereNobodyCanCreateFilesIsNamed() {
        // /proc refuses new files even to root, who ignores permission bits
        Path proc = Path.of("/proc");
        assumeTrue(Files.isDirectory(proc.resolve("self")), "needs Linux /proc");
        Path file = proc.resolve("pando-store-test.sqlite");

        assertThatThrownBy(() -> open(file)).isInstanceOf(StoreException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("cannot be opened or created");
    }

    @Test
    void anImmutableFileIsRefusedAsReadOnly() throws Exception {
        Path file = dir.resolve("immutable.sqlite");
        open(file).close();
        assumeTrue(chattr("+i", file), "needs chattr and a file system with the immutable attribute");
        try {
            assertThatThrownBy(() -> open(file)).isInstanceOf(StoreException.class)
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("read-only")
                    .satisfies(e -> assertThat(((StoreException) e).reason()).isEqualTo(StoreException.Reason.READ_ONLY));
        } finally {
            assertThat(chattr("-i", file)).isTrue();
        }
    }

    @Test
    void anImmutableFileIsReadByAReadOnlyStore() throws Exception {
        Path file = dir.resolve("immutable-read.sqlite");
        List<Operation> ops = Operations.chain(ALICE, LOG, 5);
        try (Store store = open(file)) {
            store.insertBatch(ops);
        }
        assumeTrue(chattr("+i", file), "needs chattr and a file system with the immutable attribute");
        try (Store store = open(file, "read_only", "true")) {
            assertThat(store.log(ALICE.publicKey(), LOG, 0, 10)).containsExactlyElementsOf(ops);
            assertThat(store.checkIntegrity()).isEmpty();
            assertThatThrownBy(() -> store.insert(Operations.chain(BOB_KEY, LOG, 1).get(0)))
                    .isInstanceOfSatisfying(StoreException.class,
                            e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.READ_ONLY));
        } finally {
            assertThat(chattr("-i", file)).isTrue();
        }
    }

    private static boolean chattr(String flag, Path file) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("chattr", flag, file.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aStoredHeaderThatNoLongerDecodesIsAStoreException() throws Exception {
        Path file = dir.resolve("garbled.sqlite");
        Operation op = Operations.chain(ALICE, LOG, 1).get(0);
        try (Store store = open(file)) {
            store.insert(op);
        }
        execute(file, "UPDATE operations SET header = X'ff00'");

        try (Store store = open(file)) {
            assertThatThrownBy(() -> store.get(op.id())).isInstanceOf(StoreException.class)
                    .hasMessageContaining("does not decode");
            assertThat(store.getRaw(op.id()).orElseThrow().header()).containsExactly(0xff, 0x00);
        }
    }
}
