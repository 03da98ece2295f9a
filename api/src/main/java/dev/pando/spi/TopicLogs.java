package dev.pando.spi;

import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.TopicId;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * The topic → logs map a sync session works with, and its access hook: which topics this node
 * syncs at all, which of its logs it offers for a topic, and which logs it accepts operations of.
 * Implementations must be thread-safe and fast (they are asked per session and per received
 * operation) and must not block beyond reading the store.
 */
public interface TopicLogs {

    /** Whether this node syncs the topic with peers; an acceptor refuses any other topic. */
    boolean serves(TopicId topic);

    /** The logs of the topic this node offers to a peer (those it holds operations of). */
    Set<LogKey> logs(TopicId topic, StoreView store);

    /**
     * Whether operations of {@code log} belong to {@code topic} and are accepted from a peer. A peer
     * that sends an operation of any other log breaks the protocol.
     */
    boolean contains(TopicId topic, LogKey log);

    /**
     * The default map: a topic's logs are every author's log whose log id is
     * {@link LogId#forTopic(TopicId)}; every topic is served.
     */
    static TopicLogs byTopicLogId() {
        return byTopicLogId(topic -> true);
    }

    /** As {@link #byTopicLogId()}, serving only the topics {@code serves} accepts. */
    static TopicLogs byTopicLogId(Predicate<TopicId> serves) {
        return new TopicLogs() {
            @Override
            public boolean serves(TopicId topic) {
                return serves.test(topic);
            }

            @Override
            public Set<LogKey> logs(TopicId topic, StoreView store) {
                LogId logId = LogId.forTopic(topic);
                Map<dev.pando.PublicKey, Long> heights = store.heights(logId);
                return heights.keySet().stream().map(author -> new LogKey(author, logId)).collect(Collectors.toSet());
            }

            @Override
            public boolean contains(TopicId topic, LogKey log) {
                return log.logId().equals(LogId.forTopic(topic));
            }
        };
    }
}
