package dev.pando.spi;

import dev.pando.TopicId;
import java.util.Objects;

/**
 * A snapshot of a running sync session, reported to its {@link SyncSession#progress()} listener.
 *
 * @param topic the topic being synced
 * @param operationsExpected operations the peer announced it will send (0 until it announced)
 * @param operationsReceived operations received so far
 * @param operationsToSend operations this node announced it will send (0 until it announced)
 * @param operationsSent operations sent so far
 */
public record SyncProgress(TopicId topic, long operationsExpected, long operationsReceived, long operationsToSend,
                           long operationsSent) {
    public SyncProgress {
        Objects.requireNonNull(topic, "topic");
    }

    /**
     * Receives progress. Called on the session's threads, one call at a time per session, in
     * order; it must return quickly and not block or call back into the session.
     */
    @FunctionalInterface
    public interface Listener {
        void progress(SyncProgress progress);

        /** A listener that ignores everything. */
        static Listener none() {
            return progress -> { };
        }
    }
}
