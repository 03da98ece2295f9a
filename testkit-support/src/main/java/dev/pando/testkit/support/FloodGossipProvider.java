package dev.pando.testkit.support;

import dev.pando.ConfigurationException;
import dev.pando.spi.Gossip;
import dev.pando.spi.GossipContext;
import dev.pando.spi.GossipProvider;
import dev.pando.spi.ProviderOptions;
import java.time.Duration;
import java.util.Set;

/**
 * The reference gossip provider, named {@code "flood"}: every node keeps a direct connection to
 * each peer it was told of or that connected to it, and forwards every new message of a topic to
 * all that topic's neighbours except the one it came from. Simple enough to be obviously right,
 * which is what a reference for the Gossip contract needs; it sends every message over every link
 * of the overlay (a message costs about as many transmissions as there are links), so use
 * "plumtree" for anything large.
 *
 * <p>It runs over any {@link dev.pando.spi.Transport} under the protocol {@value #PROTOCOL}, on the
 * context's executor (one blocking reader per connected peer, writers only while they have frames
 * to send) and scheduler (dial retries), so on a {@link ManualClock} its timers follow the test.
 *
 * <p>Wire: frames of a 4-byte big-endian length, then a type byte: {@code HELLO(version)} first on
 * each node's outbound stream, {@code JOIN(topic)}, {@code LEAVE(topic)} and
 * {@code MESSAGE(topic, 16-byte random id, payload)}. A message's id is random, so two broadcasts of
 * the same bytes are two messages. A frame that is oversized, malformed or out of order closes the
 * connection to that peer and is counted.
 *
 * <p>Options: {@code max_message_bytes} (default 4096), {@code dedup_cache} (message ids
 * remembered, default 65536), {@code send_queue} (frames queued per peer before further messages
 * to it are dropped and counted, default 4096), {@code join_retry} (first delay before a known peer
 * that is not a neighbour yet is tried again, doubling up to 30 s; default 1s).
 *
 * <p>Not registered with {@link java.util.ServiceLoader}, like everything in the testkit: hand it to
 * a registry explicitly ({@code ProviderRegistry.builder().gossip(new FloodGossipProvider())}),
 * then select it by name. (Registered as a service, this module would be a provider of an SPI the
 * node uses, and surefire then puts it on the node tests' module path as a named module the node
 * does not read: 7 of the node's tests failed with IllegalAccessError.) Stateless.
 */
public final class FloodGossipProvider implements GossipProvider {
    /** The protocol name the flood provider dials and accepts. */
    public static final String PROTOCOL = "pando/gossip-flood/1";
    /** The provider's name. */
    public static final String NAME = "flood";

    static final String MAX_MESSAGE_BYTES = "max_message_bytes";
    static final String DEDUP_CACHE = "dedup_cache";
    static final String SEND_QUEUE = "send_queue";
    static final String JOIN_RETRY = "join_retry";
    private static final Set<String> KEYS = Set.of(MAX_MESSAGE_BYTES, DEDUP_CACHE, SEND_QUEUE, JOIN_RETRY);

    /** The largest {@code max_message_bytes} accepted: 16 MiB. */
    static final int MAX_MESSAGE_LIMIT = 16 * 1024 * 1024;

    /** Creates the provider (ServiceLoader calls this). */
    public FloodGossipProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> optionKeys() {
        return KEYS;
    }

    @Override
    public Gossip create(GossipContext context) {
        ProviderOptions o = context.options();
        for (String key : o.asMap().keySet()) {
            if (!KEYS.contains(key)) {
                throw new ConfigurationException("gossip provider flood has no option " + key + "; it knows " + KEYS);
            }
        }
        int maxMessage = o.integer(MAX_MESSAGE_BYTES, 4096);
        if (maxMessage < 1 || maxMessage > MAX_MESSAGE_LIMIT) {
            throw new ConfigurationException("option " + MAX_MESSAGE_BYTES + " must be 1.." + MAX_MESSAGE_LIMIT + ", got " + maxMessage);
        }
        int dedup = o.integer(DEDUP_CACHE, 65_536);
        if (dedup < 16) {
            throw new ConfigurationException("option " + DEDUP_CACHE + " must be at least 16, got " + dedup);
        }
        int queue = o.integer(SEND_QUEUE, 4096);
        if (queue < 16) {
            throw new ConfigurationException("option " + SEND_QUEUE + " must be at least 16, got " + queue);
        }
        Duration retry = o.positiveDuration(JOIN_RETRY, Duration.ofSeconds(1));
        return new FloodGossip(context, maxMessage, dedup, queue, retry);
    }
}
