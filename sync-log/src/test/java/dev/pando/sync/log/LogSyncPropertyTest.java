package dev.pando.sync.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.TopicId;
import dev.pando.spi.ProviderOptions;
import dev.pando.testkit.support.Operations;
import dev.pando.testkit.Trials;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** After one session both stores hold the union of the topic's logs, and nothing of other topics moves. */
@Timeout(300)
class LogSyncPropertyTest {
    static final TopicId TOPIC = LogSyncTest.TOPIC;
    static final LogId LOG = LogSyncTest.LOG;
    static final LogId OTHER = LogId.forTopic(TopicId.named("sync-test/not-this-one"));

    // signed once: trials take random prefixes of these logs
    static final Operations.Logs TOPIC_LOGS = Operations.logs(6, 40, LOG, 48);
    static final Operations.Logs OTHER_LOGS = Operations.logs(2, 10, OTHER, 16);

    @Test
    void bothSidesEndWithTheUnion() {
        Trials.run(25, random -> {
            // small batches and pages of frames exercise the batching paths too
            ProviderOptions options = ProviderOptions.of("batch_operations", Integer.toString(1 + random.nextInt(64)));
            try (SyncPair pair = new SyncPair(options)) {
                Map<LogKey, Integer> expected = new java.util.HashMap<>();
                for (Map.Entry<LogKey, List<Operation>> e : TOPIC_LOGS.byLog().entrySet()) {
                    int onA = prefix(random, e.getValue().size());
                    int onB = prefix(random, e.getValue().size());
                    pair.a.insert(e.getValue().subList(0, onA));
                    pair.b.insert(e.getValue().subList(0, onB));
                    expected.put(e.getKey(), Math.max(onA, onB));
                }
                OTHER_LOGS.byLog().values().forEach(l -> (random.nextBoolean() ? pair.a : pair.b).insert(l));
                List<String> otherOnA = idsOf(pair.a, OTHER);
                List<String> otherOnB = idsOf(pair.b, OTHER);

                SyncPair.Sessions s = pair.sync(TOPIC);
                var initiator = s.initiatorResult();
                var acceptor = s.acceptorResult();

                for (Map.Entry<LogKey, Integer> e : expected.entrySet()) {
                    List<String> want = TOPIC_LOGS.byLog().get(e.getKey()).subList(0, e.getValue()).stream()
                            .map(o -> o.id().toString()).collect(Collectors.toList());
                    assertThat(ids(pair.a, e.getKey())).as("A, " + e.getKey()).isEqualTo(want);
                    assertThat(ids(pair.b, e.getKey())).as("B, " + e.getKey()).isEqualTo(want);
                }
                assertThat(idsOf(pair.a, OTHER)).isEqualTo(otherOnA);
                assertThat(idsOf(pair.b, OTHER)).isEqualTo(otherOnB);
                assertThat(initiator.operationsSent()).isEqualTo(acceptor.operationsReceived());
                assertThat(acceptor.operationsSent()).isEqualTo(initiator.operationsReceived());
            }
        });
    }

    /** 0 (no log), the whole log, or anything between. */
    private static int prefix(Random random, int size) {
        switch (random.nextInt(4)) {
            case 0: return 0;
            case 1: return size;
            default: return random.nextInt(size + 1);
        }
    }

    private static List<String> ids(SyncPair.Peer peer, LogKey log) {
        return peer.store.rawLog(log.author(), log.logId(), 0, Integer.MAX_VALUE).stream()
                .map(r -> r.id().toString()).collect(Collectors.toList());
    }

    private static List<String> idsOf(SyncPair.Peer peer, LogId logId) {
        return peer.store.logs().stream().filter(l -> l.logId().equals(logId))
                .flatMap(l -> ids(peer, l).stream()).sorted().collect(Collectors.toList());
    }
}
