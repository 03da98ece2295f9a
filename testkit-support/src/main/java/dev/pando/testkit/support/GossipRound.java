package dev.pando.testkit.support;

import java.time.Duration;
import java.util.Locale;

/**
 * What one round of a {@link GossipSimulation} measured: a number of messages broadcast, and how
 * they reached the nodes.
 *
 * @param messages messages broadcast in the round
 * @param nodes nodes live at the end of the round
 * @param expected deliveries that had to happen: for each message, every node live at the end of
 *     the round, other than its sender, whose first neighbour came up before the message was sent
 * @param missed expected deliveries that did not happen before the round's deadline
 * @param rmr relative message redundancy: payload copies received per delivery, minus one (0 is a
 *     perfect tree; NaN if the provider keeps no counters)
 * @param ldh last delivery hop: the most hops any delivery took from the sender, following each
 *     node's {@code deliveredFrom}
 * @param latencyP50 median delivery latency on the virtual clock
 * @param latencyP99 99th percentile of the delivery latency
 * @param latencyMax the slowest delivery
 * @param virtualTime virtual time the round took
 * @param wallTime real time the round took
 */
public record GossipRound(int messages, int nodes, long expected, long missed, double rmr, int ldh, Duration latencyP50,
                          Duration latencyP99, Duration latencyMax, Duration virtualTime, Duration wallTime) {

    /** One line for logs and benchmark output. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "messages=%d nodes=%d expected=%d missed=%d rmr=%.3f ldh=%d latency_p50_ms=%.1f "
                        + "latency_p99_ms=%.1f latency_max_ms=%.1f virtual_ms=%d wall_ms=%d",
                messages, nodes, expected, missed, rmr, ldh, latencyP50.toNanos() / 1e6, latencyP99.toNanos() / 1e6,
                latencyMax.toNanos() / 1e6, virtualTime.toMillis(), wallTime.toMillis());
    }
}
