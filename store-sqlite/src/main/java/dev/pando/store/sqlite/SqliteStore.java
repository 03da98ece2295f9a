package dev.pando.store.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pando.Hash;
import dev.pando.InvalidOperationException;
import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.PublicKey;
import dev.pando.StoreException;
import dev.pando.TopicId;
import dev.pando.spi.LogRangeSize;
import dev.pando.spi.RawOperation;
import dev.pando.spi.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * A store in one SQLite file. One writer connection, guarded by a lock, with its statements
 * prepared once; reads go through a HikariCP pool of read-only connections. In WAL mode readers
 * run while the writer writes and see only committed transactions, which makes a batch (one
 * transaction) atomic for them. A read-only store has no writer at all.
 */
final class SqliteStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);
    private static final byte[] NO_BYTES = new byte[0];
    /** Largest list capacity reserved before reading a page: a huge limit need not mean a huge log. */
    private static final int INITIAL_CAPACITY = 1024;

    private enum State { CREATED, OPEN, CLOSED }

    private final SqliteOptions options;
    private final Path path;
    private final ReentrantLock writeLock = new ReentrantLock();
    // Set by open() under writeLock before the volatile write of state = OPEN, which publishes them
    // to every thread that reads state first (checkOpen).
    private HikariDataSource readers;
    private ReaderThreads threads;
    /** Guarded by writeLock; null in a read-only store. */
    private Connection writer;
    /** Read-only: whether the WAL files were there before this store opened the file. */
    private boolean walFilesFound;
    private final Map<String, PreparedStatement> writes = new HashMap<>();
    /** Each reader connection's prepared statements, by SQL text. */
    private final Map<SQLiteConnection, Map<String, PreparedStatement>> readStatements = new ConcurrentHashMap<>();
    private volatile State state = State.CREATED;

    /** A store of this file, not opened yet: no I/O. */
    SqliteStore(SqliteOptions options) {
        this.options = options;
        this.path = options.path();
    }

    // ---- opening ----

    @Override
    public void open() {
        writeLock.lock();
        try {
            if (state != State.CREATED) {
                throw new IllegalStateException("the SQLite store at " + path + " was "
                        + (state == State.OPEN ? "opened" : "closed") + " before");
            }
            try {
                acquire();
            } catch (RuntimeException e) {
                state = State.CLOSED;
                throw e;
            }
            state = State.OPEN;
        } finally {
            writeLock.unlock();
        }
    }

    /** Opens the connections (releasing whatever it got if anything fails). Caller holds writeLock. */
    private void acquire() {
        String opening = "cannot open the SQLite store at " + path + (options.readOnly() ? " read-only" : "");
        Path dir = path.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            String why = dir == null ? "it has no parent directory"
                    : Files.exists(dir) ? "its parent " + dir + " is not a directory" : "its directory " + dir + " does not exist";
            throw new StoreException(StoreException.Reason.CANNOT_OPEN, opening + ": " + why);
        }
        if (Files.isDirectory(path)) {
            throw new StoreException(StoreException.Reason.CANNOT_OPEN, opening + ": it is a directory");
        }
        if (options.readOnly() && !Files.exists(path)) {
            // SQLite would create it, read-only or not
            throw new StoreException(StoreException.Reason.CANNOT_OPEN, opening + ": there is no such file");
        }
        threads = new ReaderThreads();
        try {
            if (options.readOnly()) {
                walFilesFound = Files.exists(walFile("-wal")) || Files.exists(walFile("-shm"));
                // checked on a connection of its own: the pool would log a file it cannot read as an error
                try (Connection c = readOnlyConfig(options).createConnection(url(path))) {
                    checkReadable(c, opening);
                }
                readers = openReaders(options, threads);
            } else {
                writer = openWriter(options);
                migrate(writer, path, opening);
                setJournalMode(writer, options);
                readers = openReaders(options, threads);
                prepareWrites();
            }
            LOG.debug("opened SQLite store {} (schema {}, journal {}, {} readers{})", path, Schema.LATEST,
                    options.journalMode(), options.readers(), options.readOnly() ? ", read-only" : "");
        } catch (SQLException | RuntimeException e) {
            release();
            throw failure(opening, e);
        }
    }

    private static Connection openWriter(SqliteOptions options) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setSynchronous(options.synchronous());
        config.setBusyTimeout((int) options.busyTimeout().toMillis());
        // journal_mode is set after the checks: switching to WAL writes to the file, and a file
        // we refuse (newer schema, not ours) must be left exactly as it was
        return config.createConnection(url(options.path()));
    }

    private static SQLiteConfig readOnlyConfig(SqliteOptions options) {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout((int) options.busyTimeout().toMillis());
        return config;
    }

    private static HikariDataSource openReaders(SqliteOptions options, ReaderThreads threads) {
        SQLiteDataSource source = new SQLiteDataSource(readOnlyConfig(options));
        source.setUrl(url(options.path()));
        HikariConfig pool = new HikariConfig();
        pool.setDataSource(source);
        pool.setPoolName("pando-sqlite-readers(" + options.path().getFileName() + ")");
        pool.setMaximumPoolSize(options.readers());
        pool.setMinimumIdle(1);
        pool.setAutoCommit(true);
        // Hikari applies its read-only flag to every connection, and sqlite-jdbc refuses to change
        // the flag after opening: the two must agree
        pool.setReadOnly(true);
        pool.setThreadFactory(threads);
        // a connection to a local file does not go stale; keeping it keeps its prepared statements
        pool.setMaxLifetime(0);
        return new HikariDataSource(pool);
    }

    private static String url(Path path) {
        return "jdbc:sqlite:" + path;
    }

    /**
     * Refuses files that are not ours or come from a newer schema.
     *
     * @return the file's schema version (0: an empty database)
     */
    private static int schemaVersion(Connection c, String opening) throws SQLException {
        int applicationId = pragmaInt(c, "application_id");
        int version = pragmaInt(c, "user_version");
        if (applicationId != 0 && applicationId != Schema.APPLICATION_ID) {
            throw new StoreException(StoreException.Reason.INCOMPATIBLE, opening + ": it is an SQLite database of another"
                    + " application (application_id 0x" + Integer.toHexString(applicationId) + ")");
        }
        if (version > Schema.LATEST) {
            throw new StoreException(StoreException.Reason.INCOMPATIBLE, opening + ": it was written by a newer Pando (schema "
                    + version + ", this build knows up to " + Schema.LATEST + ")");
        }
        if (applicationId == 0 && (version != 0 || schemaObjects(c) > 0)) {
            throw new StoreException(StoreException.Reason.INCOMPATIBLE, opening
                    + ": it is an SQLite database with tables that Pando did not create");
        }
        return version;
    }

    /** A read-only store can read only a file that has the latest schema: it cannot migrate. */
    private static void checkReadable(Connection c, String opening) throws SQLException {
        int version = schemaVersion(c, opening);
        if (version == 0) {
            throw new StoreException(StoreException.Reason.INCOMPATIBLE, opening
                    + ": it holds no Pando store yet (an empty database; open it writable once to create one)");
        }
        if (version < Schema.LATEST) {
            throw new StoreException(StoreException.Reason.INCOMPATIBLE, opening + ": its schema " + version
                    + " must first be migrated to " + Schema.LATEST + ", which needs write access (open it writable once)");
        }
    }

    /**
     * Refuses files that are not ours or come from a newer schema, then applies the missing
     * migration steps, each in one transaction that also proves the file is writable.
     */
    private static void migrate(Connection c, Path path, String opening) throws SQLException {
        int version = schemaVersion(c, opening);
        try (Statement s = c.createStatement()) {
            s.execute("BEGIN IMMEDIATE");
            try {
                boolean migrated = false;
                for (Schema.Migration m : Schema.MIGRATIONS) {
                    if (m.version() > version) {
                        for (String sql : m.statements()) {
                            s.execute(sql);
                        }
                        s.execute("PRAGMA user_version = " + m.version());
                        s.execute("PRAGMA application_id = " + Schema.APPLICATION_ID);
                        LOG.info("SQLite store {}: migrated the schema to version {}", path, m.version());
                        migrated = true;
                    }
                }
                if (migrated) {
                    s.execute("COMMIT");
                } else {
                    // SQLite quietly opens a file it may not write (say, immutable) read-only; a
                    // write that is rolled back proves now, not at the first insert, that it is writable
                    s.execute("PRAGMA user_version = " + version);
                    s.execute("ROLLBACK");
                }
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(s);
                throw e;
            }
        }
    }

    private static void setJournalMode(Connection c, SqliteOptions options) throws SQLException {
        String wanted = options.journalMode().name().toLowerCase(Locale.ROOT);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA journal_mode = " + wanted)) {
            String actual = rs.next() ? rs.getString(1) : "?";
            if (!wanted.equalsIgnoreCase(actual)) {
                LOG.warn("SQLite store {}: journal_mode {} was asked for, the database uses {}", options.path(), wanted, actual);
            }
        }
        // A connection that never read in WAL mode does not remove the WAL files when it closes
        // last, and the writer is the last to close: without this read a store opened and closed
        // at once (an import of nothing) left -wal and -shm behind.
        pragmaInt(c, "user_version");
    }

    private static int pragmaInt(Connection c, String pragma) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + pragma)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private static int schemaObjects(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM sqlite_master")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private void prepareWrites() throws SQLException {
        // caller holds writeLock
        for (String sql : List.of(Schema.INSERT, Schema.RESTORE_PAYLOAD, Schema.DELETE, Schema.DELETE_PAYLOAD, Schema.PRUNE, Schema.DELETE_PAYLOADS,
                Schema.ADD_TO_TOPIC, Schema.REMOVE_FROM_TOPIC, "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")) {
            writes.put(sql, writer.prepareStatement(sql));
        }
    }

    // ---- operations by id ----

    @Override
    public boolean insert(Operation operation) {
        Objects.requireNonNull(operation, "operation");
        return write("insert " + operation.id(), () -> insertOne(operation));
    }

    @Override
    public boolean[] insertBatch(List<Operation> operations) {
        List<Operation> batch = List.copyOf(operations);
        return write("insert a batch of " + batch.size(), () -> {
            boolean[] fresh = new boolean[batch.size()];
            if (batch.isEmpty()) {
                return fresh;
            }
            writes.get("BEGIN IMMEDIATE").execute();
            try {
                for (int i = 0; i < fresh.length; i++) {
                    fresh[i] = insertOne(batch.get(i));
                }
                writes.get("COMMIT").execute();
            } catch (SQLException | RuntimeException e) {
                rollback(e);
                throw e;
            }
            return fresh;
        });
    }

    private boolean insertOne(Operation op) throws SQLException {
        PreparedStatement ps = writes.get(Schema.INSERT);
        ps.setBytes(1, op.id().bytes());
        ps.setBytes(2, op.author().bytes());
        ps.setBytes(3, op.logId().bytes());
        ps.setLong(4, op.seqNum());
        ps.setBytes(5, op.headerBytes());
        if (op.body().isPresent()) {
            ps.setBytes(6, op.body().get().bytes());
        } else {
            ps.setNull(6, java.sql.Types.BLOB);
        }
        try {
            if (ps.executeUpdate() == 1) {
                return true;
            }
        } catch (SQLiteException e) {
            if (e.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE) {
                throw new StoreException(StoreException.Reason.CONFLICT, "seq " + op.seqNum() + " of log " + op.logId()
                        + " by " + op.author() + " is already taken by another operation, cannot store " + op.id(), e);
            }
            throw e;
        }
        if (op.body().isPresent()) {
            // stored already: an operation that comes again brings back a body deleted meanwhile
            PreparedStatement restore = writes.get(Schema.RESTORE_PAYLOAD);
            restore.setBytes(1, op.body().get().bytes());
            restore.setBytes(2, op.id().bytes());
            restore.executeUpdate();
        }
        return false;
    }

    private void rollback(Exception cause) {
        try {
            writes.get("ROLLBACK").execute();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public Optional<Operation> get(Hash id) {
        return read("get " + id, Schema.GET, ps -> ps.setBytes(1, id.bytes()),
                rs -> rs.next() ? Optional.of(decode(rs.getBytes(2), body(rs, 3))) : Optional.empty());
    }

    @Override
    public Optional<RawOperation> getRaw(Hash id) {
        return read("get " + id, Schema.GET, ps -> ps.setBytes(1, id.bytes()),
                rs -> rs.next() ? Optional.of(new RawOperation(id, rs.getLong(1), rs.getBytes(2), Optional.ofNullable(body(rs, 3))))
                        : Optional.empty());
    }

    @Override
    public boolean has(Hash id) {
        return read("look up " + id, Schema.HAS, ps -> ps.setBytes(1, id.bytes()), ResultSet::next);
    }

    @Override
    public boolean delete(Hash id) {
        return write("delete " + id, () -> update(Schema.DELETE, ps -> ps.setBytes(1, id.bytes())) > 0);
    }

    @Override
    public boolean deletePayload(Hash id) {
        return write("delete the payload of " + id, () -> update(Schema.DELETE_PAYLOAD, ps -> ps.setBytes(1, id.bytes())) > 0);
    }

    // ---- logs ----

    @Override
    public List<Operation> log(PublicKey author, LogId logId, long fromSeq, int limit) {
        checkLimit(limit);
        if (limit == 0) {
            checkOpen();
            return List.of();
        }
        return read("read a log", Schema.LOG, ps -> bindLog(ps, author, logId, fromSeq, limit), rs -> {
            List<Operation> out = new ArrayList<>(Math.min(limit, INITIAL_CAPACITY));
            while (rs.next()) {
                out.add(decode(rs.getBytes(3), body(rs, 4)));
            }
            return out;
        });
    }

    @Override
    public List<RawOperation> rawLog(PublicKey author, LogId logId, long fromSeq, int limit) {
        checkLimit(limit);
        if (limit == 0) {
            checkOpen();
            return List.of();
        }
        return read("read a log", Schema.LOG, ps -> bindLog(ps, author, logId, fromSeq, limit), rs -> {
            List<RawOperation> out = new ArrayList<>(Math.min(limit, INITIAL_CAPACITY));
            while (rs.next()) {
                out.add(new RawOperation(Hash.fromBytes(rs.getBytes(1)), rs.getLong(2), rs.getBytes(3),
                        Optional.ofNullable(body(rs, 4))));
            }
            return out;
        });
    }

    private static void bindLog(PreparedStatement ps, PublicKey author, LogId logId, long fromSeq, int limit)
            throws SQLException {
        ps.setBytes(1, author.bytes());
        ps.setBytes(2, logId.bytes());
        ps.setLong(3, fromSeq);
        ps.setInt(4, limit);
    }

    private static void checkLimit(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
    }

    @Override
    public Optional<Operation> latest(PublicKey author, LogId logId) {
        return read("read the latest operation of a log", Schema.LATEST_OP, ps -> bindLogKey(ps, 1, author, logId),
                rs -> rs.next() ? Optional.of(decode(rs.getBytes(1), body(rs, 2))) : Optional.empty());
    }

    @Override
    public Map<PublicKey, Long> heights(LogId logId) {
        return read("read log heights", Schema.HEIGHTS, ps -> ps.setBytes(1, logId.bytes()), rs -> {
            Map<PublicKey, Long> out = new HashMap<>();
            while (rs.next()) {
                out.put(PublicKey.fromBytes(rs.getBytes(1)), rs.getLong(2));
            }
            return out;
        });
    }

    @Override
    public List<LogKey> logs() {
        return read("list logs", Schema.LOGS, ps -> { }, rs -> {
            List<LogKey> out = new ArrayList<>();
            while (rs.next()) {
                out.add(logKey(rs, 1));
            }
            return out;
        });
    }

    @Override
    public int prune(PublicKey author, LogId logId, long beforeSeq) {
        return write("prune a log", () -> update(Schema.PRUNE, ps -> {
            bindLogKey(ps, 1, author, logId);
            ps.setLong(3, beforeSeq);
        }));
    }

    @Override
    public int deletePayloads(PublicKey author, LogId logId, long fromSeq, long toSeq) {
        return write("delete payloads", () -> update(Schema.DELETE_PAYLOADS, ps -> {
            bindLogKey(ps, 1, author, logId);
            ps.setLong(3, fromSeq);
            ps.setLong(4, toSeq);
        }));
    }

    @Override
    public LogRangeSize rangeSize(PublicKey author, LogId logId, long fromSeq, long toSeq) {
        return read("measure a log range", Schema.RANGE_SIZE, ps -> {
            bindLogKey(ps, 1, author, logId);
            ps.setLong(3, fromSeq);
            ps.setLong(4, toSeq);
        }, rs -> {
            rs.next();
            long ops = rs.getLong(1);
            return ops == 0 ? LogRangeSize.EMPTY : new LogRangeSize(ops, rs.getLong(2));
        });
    }

    // ---- topics ----

    @Override
    public boolean addToTopic(TopicId topic, LogKey log) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(log, "log");
        return write("add a log to a topic", () -> update(Schema.ADD_TO_TOPIC, ps -> bindTopicLog(ps, topic, log)) > 0);
    }

    @Override
    public boolean removeFromTopic(TopicId topic, LogKey log) {
        return write("remove a log from a topic", () -> update(Schema.REMOVE_FROM_TOPIC, ps -> bindTopicLog(ps, topic, log)) > 0);
    }

    @Override
    public Set<LogKey> topicLogs(TopicId topic) {
        return read("read a topic's logs", Schema.TOPIC_LOGS, ps -> ps.setBytes(1, topic.bytes()), rs -> {
            Set<LogKey> out = new HashSet<>();
            while (rs.next()) {
                out.add(logKey(rs, 1));
            }
            return Set.copyOf(out);
        });
    }

    private static void bindTopicLog(PreparedStatement ps, TopicId topic, LogKey log) throws SQLException {
        ps.setBytes(1, topic.bytes());
        bindLogKey(ps, 2, log.author(), log.logId());
    }

    private static void bindLogKey(PreparedStatement ps, int first, PublicKey author, LogId logId) throws SQLException {
        ps.setBytes(first, author.bytes());
        ps.setBytes(first + 1, logId.bytes());
    }

    private static LogKey logKey(ResultSet rs, int first) throws SQLException {
        return new LogKey(PublicKey.fromBytes(rs.getBytes(first)), LogId.of(nonNull(rs.getBytes(first + 1))));
    }

    // ---- maintenance ----

    @Override
    public List<String> checkIntegrity() {
        // integrity_check prints the single row "ok" when it finds nothing, else one row a problem
        return read("run its integrity check", "PRAGMA integrity_check(100)", ps -> { }, rs -> {
            List<String> problems = new ArrayList<>();
            while (rs.next()) {
                String row = rs.getString(1);
                if (!"ok".equals(row)) {
                    problems.add(row);
                }
            }
            return List.copyOf(problems);
        });
    }

    // ---- lifecycle ----

    @Override
    public void close() {
        writeLock.lock();
        try {
            State was = state;
            state = State.CLOSED;
            if (was == State.OPEN) {
                release();
                LOG.debug("closed SQLite store {}", path);
            }
        } finally {
            writeLock.unlock();
        }
    }

    /** Closes whatever is open. Caller holds writeLock. */
    private void release() {
        // readers first: the last connection to close checkpoints the WAL into the database file
        if (readers != null) {
            readers.close();
        }
        if (threads != null) {
            threads.awaitExit();
        }
        readStatements.clear(); // closing their connections finalized them
        for (PreparedStatement ps : writes.values()) {
            closeQuietly(ps);
        }
        writes.clear();
        closeQuietly(writer);
        if (options.readOnly()) {
            removeWalFilesWeMade();
        }
    }

    /**
     * A read-only connection cannot checkpoint, so closing it leaves the -wal and -shm files that
     * reading a WAL database needs (as {@code sqlite3 -readonly} does). If they were not there
     * before and the file may be written, one plain connection that reads and closes removes them
     * as the last connection, after checkpointing an empty WAL; if another process has the file
     * open, it is not the last and the files stay for that process, as they must.
     */
    private void removeWalFilesWeMade() {
        if (walFilesFound || !(Files.exists(walFile("-wal")) || Files.exists(walFile("-shm"))) || !Files.isWritable(path)) {
            return;
        }
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout((int) options.busyTimeout().toMillis());
        try (Connection c = config.createConnection(url(path))) {
            pragmaInt(c, "user_version");
        } catch (SQLException e) {
            LOG.debug("SQLite store {}: could not remove the WAL files a read-only store made", path, e);
        }
    }

    private Path walFile(String suffix) {
        return path.resolveSibling(path.getFileName() + suffix);
    }

    @Override
    public String toString() {
        return "SqliteStore[" + path + (options.readOnly() ? ", read-only" : "") + ", " + state.name().toLowerCase(Locale.ROOT) + "]";
    }

    // ---- plumbing ----

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    @FunctionalInterface
    private interface Rows<T> {
        T read(ResultSet rs) throws SQLException;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run() throws SQLException;
    }

    private void checkOpen() {
        State s = state;
        if (s == State.CLOSED) {
            throw new StoreException(StoreException.Reason.CLOSED, "the SQLite store at " + path + " is closed");
        }
        if (s == State.CREATED) {
            throw new IllegalStateException("the SQLite store at " + path + " is not open yet: call open() first");
        }
    }

    private <T> T read(String what, String sql, Binder binder, Rows<T> rows) {
        checkOpen();
        try (Connection c = readers.getConnection()) {
            PreparedStatement ps = prepared(c, sql);
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                return rows.read(rs);
            }
        } catch (SQLException e) {
            checkOpen(); // closed while reading: report that rather than the pool's complaint
            throw failure("SQLite store " + path + ": cannot " + what, e);
        }
    }

    private <T> T write(String what, Work<T> work) {
        writeLock.lock();
        try {
            checkOpen();
            if (writer == null) {
                throw new StoreException(StoreException.Reason.READ_ONLY, "SQLite store " + path + ": cannot " + what
                        + ": the store was opened read-only");
            }
            return work.run();
        } catch (SQLException e) {
            throw failure("SQLite store " + path + ": cannot " + what, e);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * The reader connection's prepared statement for {@code sql}. Preparing costs more than a
     * point lookup itself, so each pooled connection keeps its statements; they are prepared on
     * the driver's connection, outside the pool's statement tracking, so returning the connection
     * to the pool does not close them. Only the thread that borrowed the connection touches its
     * map; the pool's hand-over orders those accesses.
     */
    private PreparedStatement prepared(Connection pooled, String sql) throws SQLException {
        SQLiteConnection connection = pooled.unwrap(SQLiteConnection.class);
        Map<String, PreparedStatement> mine = readStatements.get(connection);
        if (mine == null) {
            // a new connection: forget those the pool has closed since, so the map stays small
            readStatements.keySet().removeIf(SqliteStore::isClosed);
            mine = new HashMap<>();
            readStatements.put(connection, mine);
        }
        PreparedStatement ps = mine.get(sql);
        if (ps == null || ps.isClosed()) {
            ps = connection.prepareStatement(sql);
            mine.put(sql, ps);
        }
        return ps;
    }

    private static boolean isClosed(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    /** Runs one of the prepared write statements; the caller holds the write lock. */
    private int update(String sql, Binder binder) throws SQLException {
        PreparedStatement ps = writes.get(sql);
        binder.bind(ps);
        return ps.executeUpdate();
    }

    /** A body column: SQL NULL is an absent body, a zero-length blob an empty one. */
    private static byte[] body(ResultSet rs, int column) throws SQLException {
        byte[] b = rs.getBytes(column);
        if (b != null) {
            return b;
        }
        return rs.wasNull() ? null : NO_BYTES;
    }

    private static byte[] nonNull(byte[] b) {
        return b == null ? NO_BYTES : b;
    }

    private Operation decode(byte[] header, byte[] body) {
        try {
            return Operation.decode(header, body);
        } catch (InvalidOperationException e) {
            throw new StoreException(StoreException.Reason.CORRUPT, "SQLite store " + path
                    + ": a stored header does not decode (the file is corrupt?)", e);
        }
    }

    /** Wraps a failure, saying in words what the common SQLite result codes mean. */
    static StoreException failure(String message, Exception e) {
        if (e instanceof StoreException se) {
            return se;
        }
        String hint = "";
        StoreException.Reason reason = StoreException.Reason.FAILED;
        Throwable t = e;
        while (t != null && !(t instanceof SQLiteException)) {
            t = t.getCause(); // Hikari wraps the driver's exception when the pool cannot start
        }
        if (t instanceof SQLiteException se) {
            switch (se.getResultCode().code & 0xFF) {
                case 26: // SQLITE_NOTADB
                case 11: // SQLITE_CORRUPT
                    hint = ": the file is not an SQLite database or it is corrupt";
                    reason = StoreException.Reason.CORRUPT;
                    break;
                case 14: // SQLITE_CANTOPEN
                    hint = ": the file cannot be opened or created (missing or read-only directory?)";
                    reason = StoreException.Reason.CANNOT_OPEN;
                    break;
                case 8: // SQLITE_READONLY
                case 3: // SQLITE_PERM
                    hint = ": the file or its directory is read-only";
                    reason = StoreException.Reason.READ_ONLY;
                    break;
                case 13: // SQLITE_FULL
                    hint = ": the disk is full";
                    reason = StoreException.Reason.FULL;
                    break;
                case 5: // SQLITE_BUSY
                case 6: // SQLITE_LOCKED
                    hint = ": the database is locked by another connection or process";
                    reason = StoreException.Reason.BUSY;
                    break;
                case 10: // SQLITE_IOERR
                    hint = ": an I/O error occurred";
                    break;
                default:
                    break;
            }
        }
        return new StoreException(reason, message + hint + " (" + e.getMessage() + ")", e);
    }

    private static void rollbackQuietly(Statement s) {
        try {
            s.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // the transaction may never have started; the original failure is what matters
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // closing is best effort: nothing more can be released
        }
    }
}
