package dev.pando.spi;

import dev.pando.TopicId;

/**
 * A sync protocol: brings two nodes' stores to the union of their operations for one topic, in one
 * session over one stream. Made by a {@link SyncProvider}; one instance serves any number of
 * concurrent sessions and holds no resources between them (nothing to close).
 *
 * <p><b>Threading.</b> {@link #initiate} and {@link #accept} block the calling thread (give them
 * an executor thread, never a transport or scheduler thread) until the session ends; a protocol
 * that moves both directions at once runs the other direction on the context's executor and has
 * finished with it when the call returns. Every received operation goes to the session's
 * {@link IngestSink}, never into the store directly.
 *
 * <p><b>Errors</b> end the session, abort the stream and are thrown as typed exceptions;
 * operations stored before stay stored:
 * <ul>
 *   <li>{@link dev.pando.ProtocolViolationException}: the peer sent a malformed or oversized
 *       message, an unsupported version, an operation outside the topic's logs, more than it
 *       announced, an operation the ingest pipeline rejected, or refused the topic;</li>
 *   <li>{@link dev.pando.DeadlineExceededException}: the peer stalled (a read or write made no
 *       progress within the deadline, or the session ran over its overall limit);</li>
 *   <li>{@link dev.pando.ConnectionClosedException}: the stream or connection went away;</li>
 *   <li>{@link dev.pando.StoreException}: this node's store failed.</li>
 * </ul>
 */
public interface SyncProtocol {

    /**
     * The protocol name under which sessions run (see {@link ProtocolNames}); it carries the
     * protocol's major version, e.g. {@code pando/sync/1}.
     */
    String protocolName();

    /**
     * Runs a session for {@code topic} as the side that opened the stream.
     *
     * @return what the session did
     */
    SyncMetrics initiate(TopicId topic, SyncSession session);

    /**
     * Runs a session as the side that accepted the stream; the initiator names the topic, which
     * must be one the session's {@link TopicLogs#serves} accepts.
     *
     * @return what the session did
     */
    SyncMetrics accept(SyncSession session);
}
