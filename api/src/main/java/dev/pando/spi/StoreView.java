package dev.pando.spi;

import dev.pando.Hash;
import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The reading half of a {@link Store}: what a sync protocol may see of the node's store. Sync
 * providers get this view, never the {@link Store} itself, so everything they receive reaches the
 * store only through the {@link IngestSink} (validated). Every {@link Store} is a view of itself;
 * each method means exactly what {@link Store} documents for it (thread-safe, synchronous, exact
 * bytes, ascending seq order, unknown logs give empty results, failures throw
 * {@link dev.pando.StoreException}).
 */
public interface StoreView {

    /** See {@link Store#getRaw}. */
    Optional<RawOperation> getRaw(Hash id);

    /** See {@link Store#has}. */
    boolean has(Hash id);

    /** See {@link Store#rawLog}: up to {@code limit} operations with seq &ge; {@code fromSeq}. */
    List<RawOperation> rawLog(PublicKey author, LogId logId, long fromSeq, int limit);

    /** See {@link Store#heights}: per author, the highest seq stored under this log id. */
    Map<PublicKey, Long> heights(LogId logId);

    /** See {@link Store#logs}. */
    List<LogKey> logs();

    /** See {@link Store#rangeSize}: operations and bytes with {@code fromSeq} &le; seq &le; {@code toSeq}. */
    LogRangeSize rangeSize(PublicKey author, LogId logId, long fromSeq, long toSeq);

    /** See {@link Store#topicLogs}. */
    Set<LogKey> topicLogs(TopicId topic);
}
