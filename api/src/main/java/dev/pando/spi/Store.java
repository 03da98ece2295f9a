package dev.pando.spi;

import dev.pando.Hash;
import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Persistent storage of operations, their logs, and which logs belong to which topic.
 *
 * <p><b>Contract for every implementation</b> (checked by the testkit's {@code StoreContract}):
 * <ul>
 *   <li>Lifecycle: {@link StoreProvider#create} makes a store without I/O; {@link #open()} opens
 *       it and must return before any other method is called (until then they throw
 *       {@link IllegalStateException}); {@link #close()} releases it.</li>
 *   <li>Thread-safe and synchronous: any method may be called from any thread; each call has taken
 *       effect when it returns, and is visible to every later call from any thread.</li>
 *   <li>A store does not validate: only valid operations may be handed to it (the node's ingest
 *       pipeline does that). It keeps the exact header and body bytes it was given and returns them
 *       unchanged.</li>
 *   <li>One operation per (author, log id, seq): inserting a different operation at an occupied
 *       position throws {@link dev.pando.StoreException} (reason {@code CONFLICT}) and changes
 *       nothing; inserting the same operation again (same id) is not an error and returns
 *       {@code false}. If the stored one's body was deleted and the one inserted again carries its
 *       body, the body is stored again (sync restores deleted payloads this way); a body is never
 *       removed by inserting an operation without it.</li>
 *   <li>Unknown ids, authors, logs and topics are not errors: lookups return empty results and
 *       deletions return {@code false} or 0.</li>
 *   <li>Log ranges are returned in ascending seq order. A log may have gaps (it may start after a
 *       pruned point, and a store accepts what it is given).</li>
 *   <li>Failures of the underlying storage throw {@link dev.pando.StoreException}.</li>
 *   <li>{@link #close()} is idempotent; after it, every other method throws
 *       {@link dev.pando.StoreException} with reason {@code CLOSED}.</li>
 * </ul>
 *
 * <p>Its reading methods form the {@link StoreView} that sync protocols are given.
 */
public interface Store extends StoreView, AutoCloseable {

    // ---- lifecycle ----

    /**
     * Opens the store: acquires its files, connections and threads; a database is checked and
     * migrated here. Call it once, before any other method.
     *
     * @throws dev.pando.StoreException if the store cannot be opened (missing or read-only
     *     directory, a file that is not a store or is corrupt, a schema written by a newer version,
     *     a database locked by another process); {@link dev.pando.StoreException#reason()} says which.
     *     Nothing stays acquired then, and the store counts as closed.
     * @throws IllegalStateException if it was opened or closed before
     */
    void open();

    // ---- operations by id ----

    /**
     * Stores an operation (with its body if present).
     *
     * @return {@code true} if it was new, {@code false} if an operation with the same id was present
     *     (whose deleted body this call restored, if {@code operation} carries it)
     * @throws dev.pando.StoreException if another operation occupies its (author, log id, seq)
     */
    boolean insert(Operation operation);

    /**
     * Stores all operations or none (one transaction). Duplicates within the batch or already
     * stored are skipped, not errors (an already stored one whose body was deleted gets it back, as
     * with {@link #insert}).
     *
     * @return for each operation in order, whether it was new
     * @throws dev.pando.StoreException if any operation would occupy a taken (author, log id, seq);
     *     then nothing of the batch is stored
     */
    boolean[] insertBatch(List<Operation> operations);

    /** The operation with this id, parsed, with its body if the store still has it. */
    Optional<Operation> get(Hash id);

    /** The operation with this id as the exact bytes stored. */
    Optional<RawOperation> getRaw(Hash id);

    boolean has(Hash id);

    /**
     * Deletes an operation with its body.
     *
     * @return whether it was present
     */
    boolean delete(Hash id);

    /**
     * Deletes an operation's body and keeps its header (the log stays verifiable).
     *
     * @return whether the operation was present and had a body
     */
    boolean deletePayload(Hash id);

    // ---- logs ----

    /**
     * Up to {@code limit} operations of a log with seq &ge; {@code fromSeq}, ascending by seq.
     * Page through a long log by calling again from the last seq + 1.
     *
     * @throws IllegalArgumentException if {@code limit} is negative
     */
    List<Operation> log(PublicKey author, LogId logId, long fromSeq, int limit);

    /** As {@link #log}, as the exact bytes stored (cheaper: nothing is parsed). */
    List<RawOperation> rawLog(PublicKey author, LogId logId, long fromSeq, int limit);

    /** The operation with the highest seq of a log. */
    Optional<Operation> latest(PublicKey author, LogId logId);

    /** For every author with a log under this log id, the highest seq stored. */
    Map<PublicKey, Long> heights(LogId logId);

    /** Every log that holds at least one operation, ordered by author, then log id. */
    List<LogKey> logs();

    /**
     * Deletes every operation of a log with seq &lt; {@code beforeSeq}.
     *
     * @return how many operations were deleted
     */
    int prune(PublicKey author, LogId logId, long beforeSeq);

    /**
     * Deletes the bodies of a log's operations with {@code fromSeq} &le; seq &le; {@code toSeq},
     * keeping their headers. An empty range ({@code fromSeq > toSeq}) deletes nothing.
     *
     * @return how many bodies were deleted
     */
    int deletePayloads(PublicKey author, LogId logId, long fromSeq, long toSeq);

    /**
     * How many operations, and how many header plus body bytes, a log holds with
     * {@code fromSeq} &le; seq &le; {@code toSeq} (for sync progress); {@link LogRangeSize#EMPTY}
     * for an empty range ({@code fromSeq > toSeq}).
     */
    LogRangeSize rangeSize(PublicKey author, LogId logId, long fromSeq, long toSeq);

    // ---- topics ----

    /**
     * Records that a log belongs to a topic (a log may belong to several topics).
     *
     * @return whether the association was new
     */
    boolean addToTopic(TopicId topic, LogKey log);

    /** @return whether the association was present */
    boolean removeFromTopic(TopicId topic, LogKey log);

    /** The logs associated with a topic (whether or not they hold operations yet). */
    Set<LogKey> topicLogs(TopicId topic);

    // ---- maintenance ----

    /**
     * Runs the storage engine's own consistency check (for SQLite, {@code PRAGMA integrity_check})
     * and returns the problems it reports, empty if none. Logical checks of the logs themselves
     * (gap-free chains of valid operations) are the caller's. A store with nothing of its own to
     * check (such as an in-memory one) returns an empty list.
     *
     * @throws dev.pando.StoreException if the check cannot run at all
     */
    default java.util.List<String> checkIntegrity() {
        return java.util.List.of();
    }

    /**
     * Releases files, connections and threads. Idempotent; never throws a checked exception. A
     * store that was never opened is closed by it too.
     */
    @Override
    void close();
}
