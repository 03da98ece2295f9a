package dev.pando.spi;

import dev.pando.TopicId;
import java.time.Duration;
import java.util.Objects;

/**
 * What one finished sync session did, from this node's side.
 *
 * @param topic the topic synced (an acceptor learns it from the initiator)
 * @param operationsSent operations this node sent
 * @param operationsReceived operations received from the peer (each handed to the ingest sink)
 * @param bytesSent bytes this node wrote to the stream (framing included)
 * @param bytesReceived bytes read from the stream (framing included)
 * @param forks received operations the ingest pipeline reported as forks (not stored)
 * @param duration from the session's start to its end, on the node's clock
 */
public record SyncMetrics(TopicId topic, long operationsSent, long operationsReceived, long bytesSent,
                          long bytesReceived, long forks, Duration duration) {
    public SyncMetrics {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(duration, "duration");
    }
}
