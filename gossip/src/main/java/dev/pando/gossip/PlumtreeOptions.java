package dev.pando.gossip;

import dev.pando.ConfigurationException;
import dev.pando.spi.ProviderOptions;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The settings of a "plumtree" service, read from its {@link ProviderOptions}. Defaults follow the
 * HyParView paper (Leitão et al. 2007, p. 9) for the views and walks, and iroh-gossip's choices for
 * PlumTree's timers (the paper leaves them to the deployment).
 */
record PlumtreeOptions(
        int maxMessageBytes,
        int activeView,
        int passiveView,
        int activeWalk,
        int passiveWalk,
        int shuffleWalk,
        int shuffleActive,
        int shufflePassive,
        Duration shuffleInterval,
        Duration neighborTimeout,
        int joinContacts,
        Duration graftTimeout,
        Duration graftRetry,
        Duration ihaveDelay,
        int optimizationThreshold,
        Duration messageRetention,
        Duration catchUp,
        Duration idRetention,
        int messageCache,
        int idCache,
        int sendQueue,
        int inboundFramesPerSecond,
        OptionalLong seed) {

    static final String MAX_MESSAGE_BYTES = "max_message_bytes";
    static final String ACTIVE_VIEW = "active_view";
    static final String PASSIVE_VIEW = "passive_view";
    static final String ACTIVE_WALK = "active_walk";
    static final String PASSIVE_WALK = "passive_walk";
    static final String SHUFFLE_WALK = "shuffle_walk";
    static final String SHUFFLE_ACTIVE = "shuffle_active";
    static final String SHUFFLE_PASSIVE = "shuffle_passive";
    static final String SHUFFLE_INTERVAL = "shuffle_interval";
    static final String NEIGHBOR_TIMEOUT = "neighbor_timeout";
    static final String JOIN_CONTACTS = "join_contacts";
    static final String GRAFT_TIMEOUT = "graft_timeout";
    static final String GRAFT_RETRY = "graft_retry";
    static final String IHAVE_DELAY = "ihave_delay";
    static final String OPTIMIZATION_THRESHOLD = "optimization_threshold";
    static final String MESSAGE_RETENTION = "message_retention";
    static final String CATCH_UP = "catch_up";
    static final String ID_RETENTION = "id_retention";
    static final String MESSAGE_CACHE = "message_cache";
    static final String ID_CACHE = "id_cache";
    static final String SEND_QUEUE = "send_queue";
    static final String INBOUND_RATE = "inbound_frames_per_second";
    static final String SEED = "seed";

    static final Set<String> KEYS = Set.of(MAX_MESSAGE_BYTES, ACTIVE_VIEW, PASSIVE_VIEW, ACTIVE_WALK, PASSIVE_WALK,
            SHUFFLE_WALK, SHUFFLE_ACTIVE, SHUFFLE_PASSIVE, SHUFFLE_INTERVAL, NEIGHBOR_TIMEOUT, JOIN_CONTACTS,
            GRAFT_TIMEOUT, GRAFT_RETRY, IHAVE_DELAY, OPTIMIZATION_THRESHOLD, MESSAGE_RETENTION, CATCH_UP, ID_RETENTION,
            MESSAGE_CACHE, ID_CACHE, SEND_QUEUE, INBOUND_RATE, SEED);

    /** The largest {@code max_message_bytes}: 1 MiB (gossip is for small messages). */
    static final int MESSAGE_LIMIT = 1 << 20;

    static PlumtreeOptions from(ProviderOptions o) {
        for (String key : o.asMap().keySet()) {
            if (!KEYS.contains(key)) {
                throw new ConfigurationException("gossip provider plumtree has no option " + key + "; it knows "
                        + new java.util.TreeSet<>(KEYS));
            }
        }
        int activeView = range(o, ACTIVE_VIEW, 5, 1, 64);
        int activeWalk = range(o, ACTIVE_WALK, 6, 0, 32);
        int passiveWalk = range(o, PASSIVE_WALK, 3, 0, 32);
        if (passiveWalk > activeWalk) {
            throw new ConfigurationException("option " + PASSIVE_WALK + " (" + passiveWalk + ") must not exceed "
                    + ACTIVE_WALK + " (" + activeWalk + ")");
        }
        String seedText = o.string(SEED, null);
        OptionalLong seed = OptionalLong.empty();
        if (seedText != null) {
            seed = OptionalLong.of(o.longValue(SEED, 0));
        }
        int shuffleActive = range(o, SHUFFLE_ACTIVE, 3, 0, 7);
        int shufflePassive = range(o, SHUFFLE_PASSIVE, 4, 0, 8);
        return new PlumtreeOptions(
                range(o, MAX_MESSAGE_BYTES, 4096, 1, MESSAGE_LIMIT),
                activeView,
                range(o, PASSIVE_VIEW, 30, 0, 1024),
                activeWalk,
                passiveWalk,
                range(o, SHUFFLE_WALK, 6, 0, 32),
                shuffleActive,
                shufflePassive,
                o.positiveDuration(SHUFFLE_INTERVAL, Duration.ofSeconds(60)),
                o.positiveDuration(NEIGHBOR_TIMEOUT, Duration.ofMillis(500)),
                range(o, JOIN_CONTACTS, 7, 1, 64),
                o.positiveDuration(GRAFT_TIMEOUT, Duration.ofMillis(80)),
                o.positiveDuration(GRAFT_RETRY, Duration.ofMillis(40)),
                o.positiveDuration(IHAVE_DELAY, Duration.ofMillis(5)),
                range(o, OPTIMIZATION_THRESHOLD, 7, 1, 1000),
                o.positiveDuration(MESSAGE_RETENTION, Duration.ofSeconds(30)),
                o.duration(CATCH_UP, Duration.ofSeconds(5)),
                o.positiveDuration(ID_RETENTION, Duration.ofSeconds(90)),
                range(o, MESSAGE_CACHE, 4096, 16, 1 << 20),
                range(o, ID_CACHE, 65_536, 16, 1 << 22),
                range(o, SEND_QUEUE, 4096, 16, 1 << 20),
                range(o, INBOUND_RATE, 20_000, 10, 10_000_000),
                seed);
    }

    private static int range(ProviderOptions o, String key, int def, int min, int max) {
        int v = o.integer(key, def);
        if (v < min || v > max) {
            throw new ConfigurationException("option " + key + " must be " + min + ".." + max + ", got " + v);
        }
        return v;
    }
}
