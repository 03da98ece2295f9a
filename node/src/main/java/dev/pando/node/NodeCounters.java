package dev.pando.node;

/**
 * A node's counters since start ({@link Node#counters()}).
 *
 * @param published operations this node published
 * @param stored operations stored through the ingest pipeline (all sources)
 * @param liveSent operations sent live on gossip
 * @param liveReceived gossip messages received
 * @param liveInvalid gossip messages dropped as malformed, badly signed, of another topic or invalid
 * @param livePending live operations held because a predecessor was missing (each asked for a sync)
 * @param liveDropped gossip messages dropped because too many waited to be handled (a burst)
 * @param tooLargeForLive published operations too large for a gossip message (sync carries them)
 * @param syncsStarted sync sessions started, both roles
 * @param syncsFinished sync sessions that ended well
 * @param syncsFailed sync sessions that failed
 * @param syncsRefused incoming sessions refused because too many ran
 * @param operationsIn operations received in sync sessions
 * @param operationsOut operations sent in sync sessions
 * @param exchangeFailures topic exchanges that failed
 * @param connections peers connected (counted per transport link-up event)
 */
public record NodeCounters(long published, long stored, long liveSent, long liveReceived, long liveInvalid,
                           long livePending, long liveDropped, long tooLargeForLive, long syncsStarted, long syncsFinished,
                           long syncsFailed, long syncsRefused, long operationsIn, long operationsOut,
                           long exchangeFailures, long connections) {
}
