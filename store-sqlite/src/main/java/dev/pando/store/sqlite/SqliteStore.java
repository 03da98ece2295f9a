package dev.pando.store.sqlite;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pando.Hash;
import dev.pando.InvalidOperationException;
import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.PublicKey;
import dev.pando.StoreException;
import dev.pando.TopicId;
import dev.pando.spi.LogKey;
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
 * transaction) atomic for them.
 */
final class SqliteStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);
    private static final byte[] NO_BYTES = new byte[0];
    /** Largest list capacity reserved before reading a page: a huge limit need not mean a huge log. */
    private static final int INITIAL_CAPACITY = 1024;

    private final Path path;
    private final HikariDataSource readers;
    private final ReaderThreads threads;
    private final ReentrantLock writeLock = new ReentrantLock();
    // guarded by writeLock
    private final Connection writer;
    private final Map<String, PreparedStatement> writes = new HashMap<>();
    /** Each reader connection's prepared statements, by SQL text. */
    private final Map<SQLiteConnection, Map<String, PreparedStatement>> readStatements = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private SqliteStore(Path path, Connection writer, HikariDataSource readers, ReaderThreads threads) {
        this.path = path;
        this.writer = writer;
        this.readers = readers;
        this.threads = threads;
    }

    // ---- opening ----

    static SqliteStore open(SqliteOptions options) {
        Path path = options.path();
        Path dir = path.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            String why = dir == null ? "it has no parent directory"
                    : Files.exists(dir) ? "its parent " + dir + " is not a directory" : "its directory " + dir + " does not exist";
            throw new StoreException("cannot open the SQLite store at " + path + ": " + why);
        }
        if (Files.isDirectory(path)) {
            throw new StoreException("cannot open the SQLite store at " + path + ": it is a directory");
        }
        Connection writer = null;
        HikariDataSource readers = null;
        ReaderThreads threads = new ReaderThreads();
        try {
            writer = openWriter(options);
            migrate(writer, path);
            setJournalMode(writer, options);
            readers = openReaders(options, threads);
            SqliteStore store = new SqliteStore(path, writer, readers, threads);
            store.prepareWrites();
            LOG.debug("opened SQLite store {} (schema {}, journal {}, {} readers)", path, Schema.LATEST,
                    options.journalMode(), options.readers());
            return store;
        } catch (SQLException | RuntimeException e) {
            if (readers != null) {
                readers.close();
            }
            threads.awaitExit();
            closeQuietly(writer);
            if (e instanceof StoreException se) {
                throw se;
            }
            throw failure("cannot open the SQLite store at " + path, e);
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

    private static HikariDataSource openReaders(SqliteOptions options, ReaderThreads threads) {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout((int) options.busyTimeout().toMillis());
        SQLiteDataSource source = new SQLiteDataSource(config);
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
     * Refuses files that are not ours or come from a newer schema, then applies the missing
     * migration steps, each in one transaction that also proves the file is writable.
     */
    private static void migrate(Connection c, Path path) throws SQLException {
        int applicationId = pragmaInt(c, "application_id");
        int version = pragmaInt(c, "user_version");
        if (applicationId != 0 && applicationId != Schema.APPLICATION_ID) {
            throw new StoreException("cannot open the SQLite store at " + path + ": it is an SQLite database of another"
                    + " application (application_id 0x" + Integer.toHexString(applicationId) + ")");
        }
        if (version > Schema.LATEST) {
            throw new StoreException("cannot open the SQLite store at " + path + ": it was written by a newer Pando (schema "
                    + version + ", this build knows up to " + Schema.LATEST + ")");
        }
        if (applicationId == 0 && (version != 0 || schemaObjects(c) > 0)) {
            throw new StoreException("cannot open the SQLite store at " + path
                    + ": it is an SQLite database with tables that Pando did not create");
        }
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
        for (String sql : List.of(Schema.INSERT, Schema.DELETE, Schema.DELETE_PAYLOAD, Schema.PRUNE, Schema.DELETE_PAYLOADS,
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
            return ps.executeUpdate() == 1;
        } catch (SQLiteException e) {
            if (e.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE) {
                throw new StoreException("seq " + op.seqNum() + " of log " + op.logId() + " by " + op.author()
                        + " is already taken by another operation, cannot store " + op.id(), e);
            }
            throw e;
        }
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

    // ---- lifecycle ----

    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            // readers first: the last connection to close checkpoints the WAL into the database file
            readers.close();
            threads.awaitExit();
            readStatements.clear(); // closing their connections finalized them
            for (PreparedStatement ps : writes.values()) {
                closeQuietly(ps);
            }
            closeQuietly(writer);
            LOG.debug("closed SQLite store {}", path);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "SqliteStore[" + path + (closed ? ", closed" : "") + "]";
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
        if (closed) {
            throw new StoreException("the SQLite store at " + path + " is closed");
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
            throw new StoreException("SQLite store " + path + ": a stored header does not decode (the file is corrupt?)", e);
        }
    }

    /** Wraps a failure, saying in words what the common SQLite result codes mean. */
    static StoreException failure(String message, Exception e) {
        if (e instanceof StoreException se) {
            return se;
        }
        String hint = "";
        Throwable t = e;
        while (t != null && !(t instanceof SQLiteException)) {
            t = t.getCause(); // Hikari wraps the driver's exception when the pool cannot start
        }
        if (t instanceof SQLiteException se) {
            switch (se.getResultCode().code & 0xFF) {
                case 26: // SQLITE_NOTADB
                case 11: // SQLITE_CORRUPT
                    hint = ": the file is not an SQLite database or it is corrupt";
                    break;
                case 14: // SQLITE_CANTOPEN
                    hint = ": the file cannot be opened or created (missing or read-only directory?)";
                    break;
                case 8: // SQLITE_READONLY
                case 3: // SQLITE_PERM
                    hint = ": the file or its directory is read-only";
                    break;
                case 13: // SQLITE_FULL
                    hint = ": the disk is full";
                    break;
                case 5: // SQLITE_BUSY
                case 6: // SQLITE_LOCKED
                    hint = ": the database is locked by another connection or process";
                    break;
                case 10: // SQLITE_IOERR
                    hint = ": an I/O error occurred";
                    break;
                default:
                    break;
            }
        }
        return new StoreException(message + hint + " (" + e.getMessage() + ")", e);
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
