package dev.pando.transport.quic;

import java.util.concurrent.atomic.LongAdder;

/** What went wrong, counted: bad input is a normal event here, never a crash. */
final class TransportCounters {
    /** Malformed preambles, failed identity proofs, auth streams that broke the scheme. */
    final LongAdder protocolViolations = new LongAdder();
    /** Incoming streams aborted: accept queue full, no connection for the protocol, no worker free. */
    final LongAdder refusedStreams = new LongAdder();
    /** Streams that made no progress within the stream timeout (their connection was dropped). */
    final LongAdder stalls = new LongAdder();
    /** Incoming connections closed at once because of max_connections, or a transport shutting down. */
    final LongAdder refusedConnections = new LongAdder();
    /** Incoming connections from nodes of another network (ALPN {@code pando/1}), closed at once with code 6. */
    final LongAdder otherNetwork = new LongAdder();
    /** Older links closed because the same peer, at its max_connections_per_peer, connected again. */
    final LongAdder replacedConnections = new LongAdder();
    /** CLOSE_CONNECTIONs this node sent that the remote did not answer (the link went away or stalled). */
    final LongAdder unansweredCloses = new LongAdder();
    /** openStream calls that found no stream credit on the caller's thread and waited for it on a worker. */
    final LongAdder creditWaits = new LongAdder();
}
