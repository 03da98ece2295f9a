package dev.pando.store.sqlite;

import java.util.List;

/**
 * The database schema as a list of migration steps, and every statement the store issues.
 *
 * <p>{@code PRAGMA user_version} holds the number of the last step applied; opening runs the
 * steps above it, each in its own transaction. A step, once released, is never edited: a change
 * is a new step appended to {@link #MIGRATIONS}. {@code PRAGMA application_id} marks the file as
 * Pando's, so that an unrelated SQLite file is refused instead of being written into.
 */
final class Schema {
    /** "PNDO": marks a database written by Pando. */
    static final int APPLICATION_ID = 0x504E_444F;

    /** One migration step: the statements that take the schema from {@code version - 1} to {@code version}. */
    record Migration(int version, List<String> statements) {
    }

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, List.of(
                    // Rowid table: 32-byte ids are random, so clustering by them (WITHOUT ROWID)
                    // measured slower for rows of this size. UNIQUE (author, log_id, seq) is the
                    // one-operation-per-position rule and the index every log query uses.
                    """
                    CREATE TABLE operations (
                        id     BLOB    NOT NULL UNIQUE,
                        author BLOB    NOT NULL,
                        log_id BLOB    NOT NULL,
                        seq    INTEGER NOT NULL,
                        header BLOB    NOT NULL,
                        body   BLOB,
                        UNIQUE (author, log_id, seq)
                    )""",
                    // Every log holding at least one operation, kept by the triggers below, so
                    // that logs() and heights() cost per log, not per operation.
                    """
                    CREATE TABLE logs (
                        author BLOB NOT NULL,
                        log_id BLOB NOT NULL,
                        PRIMARY KEY (author, log_id)
                    ) WITHOUT ROWID""",
                    "CREATE INDEX logs_by_log_id ON logs (log_id, author)",
                    """
                    CREATE TRIGGER operations_log_added AFTER INSERT ON operations
                    BEGIN
                        INSERT OR IGNORE INTO logs (author, log_id) VALUES (new.author, new.log_id);
                    END""",
                    """
                    CREATE TRIGGER operations_log_emptied AFTER DELETE ON operations
                    WHEN NOT EXISTS (SELECT 1 FROM operations WHERE author = old.author AND log_id = old.log_id)
                    BEGIN
                        DELETE FROM logs WHERE author = old.author AND log_id = old.log_id;
                    END""",
                    """
                    CREATE TABLE topic_logs (
                        topic  BLOB NOT NULL,
                        author BLOB NOT NULL,
                        log_id BLOB NOT NULL,
                        PRIMARY KEY (topic, author, log_id)
                    ) WITHOUT ROWID""")));

    /** The schema version this build writes and knows. */
    static final int LATEST = MIGRATIONS.get(MIGRATIONS.size() - 1).version();

    // ---- statements (the query-plan test runs EXPLAIN QUERY PLAN on each of READS and WRITES) ----

    /** A duplicate id is skipped; a taken (author, log_id, seq) still fails with a UNIQUE error. */
    static final String INSERT = "INSERT INTO operations (id, author, log_id, seq, header, body) VALUES (?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (id) DO NOTHING";
    /** An operation stored again restores its deleted body (only a NULL body is replaced). */
    static final String RESTORE_PAYLOAD = "UPDATE operations SET body = ? WHERE id = ? AND body IS NULL";
    static final String GET = "SELECT seq, header, body FROM operations WHERE id = ?";
    static final String HAS = "SELECT 1 FROM operations WHERE id = ?";
    static final String DELETE = "DELETE FROM operations WHERE id = ?";
    static final String DELETE_PAYLOAD = "UPDATE operations SET body = NULL WHERE id = ? AND body IS NOT NULL";
    static final String LOG = "SELECT id, seq, header, body FROM operations"
            + " WHERE author = ? AND log_id = ? AND seq >= ? ORDER BY seq LIMIT ?";
    static final String LATEST_OP = "SELECT header, body FROM operations"
            + " WHERE author = ? AND log_id = ? ORDER BY seq DESC LIMIT 1";
    static final String HEIGHTS = "SELECT l.author,"
            + " (SELECT MAX(o.seq) FROM operations o WHERE o.author = l.author AND o.log_id = l.log_id)"
            + " FROM logs l WHERE l.log_id = ?";
    static final String LOGS = "SELECT author, log_id FROM logs ORDER BY author, log_id";
    static final String PRUNE = "DELETE FROM operations WHERE author = ? AND log_id = ? AND seq < ?";
    static final String DELETE_PAYLOADS = "UPDATE operations SET body = NULL"
            + " WHERE author = ? AND log_id = ? AND seq >= ? AND seq <= ? AND body IS NOT NULL";
    static final String RANGE_SIZE = "SELECT COUNT(*), IFNULL(SUM(LENGTH(header) + IFNULL(LENGTH(body), 0)), 0) FROM operations"
            + " WHERE author = ? AND log_id = ? AND seq >= ? AND seq <= ?";
    static final String ADD_TO_TOPIC = "INSERT OR IGNORE INTO topic_logs (topic, author, log_id) VALUES (?, ?, ?)";
    static final String REMOVE_FROM_TOPIC = "DELETE FROM topic_logs WHERE topic = ? AND author = ? AND log_id = ?";
    static final String TOPIC_LOGS = "SELECT author, log_id FROM topic_logs WHERE topic = ?";

    /** Every statement that reads or filters rows, for the query-plan test. */
    static final List<String> PLANNED = List.of(GET, HAS, DELETE, DELETE_PAYLOAD, RESTORE_PAYLOAD, LOG, LATEST_OP, HEIGHTS, LOGS, PRUNE,
            DELETE_PAYLOADS, RANGE_SIZE, REMOVE_FROM_TOPIC, TOPIC_LOGS);

    private Schema() {
    }
}
