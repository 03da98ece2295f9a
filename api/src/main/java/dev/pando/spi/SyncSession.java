package dev.pando.spi;

import java.util.Objects;

/**
 * Everything one sync session works with, from this node's side.
 *
 * @param stream the stream to the peer (the node opened it, or accepted it, under
 *     {@link SyncProtocol#protocolName()}); the session uses it exclusively and closes it
 * @param store what the session may read of this node's store
 * @param topicLogs which logs belong to which topic, and which topics this node serves
 * @param sink where received operations go: the node's ingest pipeline
 * @param progress told of the session's progress
 */
public record SyncSession(DuplexStream stream, StoreView store, TopicLogs topicLogs, IngestSink sink,
                          SyncProgress.Listener progress) {
    public SyncSession {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(topicLogs, "topicLogs");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(progress, "progress");
    }

    /** A session without a progress listener. */
    public SyncSession(DuplexStream stream, StoreView store, TopicLogs topicLogs, IngestSink sink) {
        this(stream, store, topicLogs, sink, SyncProgress.Listener.none());
    }
}
