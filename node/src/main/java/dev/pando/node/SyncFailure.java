package dev.pando.node;

/** Why a sync session failed ({@link NodeEvent.SyncFailed#reason()}). */
public enum SyncFailure {
    /** The peer could not be reached, or refused the connection or the sync protocol. */
    UNREACHABLE,
    /** The peer broke the protocol: a malformed or oversized frame, or an operation it may not send. */
    PROTOCOL_VIOLATION,
    /** The peer sent an operation that failed validation; it was not stored and the session ended. */
    INVALID_OPERATION,
    /** The peer does not serve the topic. */
    REFUSED,
    /** A read or the whole session ran past its deadline (a stalled or silent peer). */
    TIMEOUT,
    /** The connection or stream closed before the session ended. */
    CONNECTION_CLOSED,
    /** This node's store failed. */
    STORE,
    /** This node is shutting down. */
    CANCELLED,
    /** Anything else (a defect: the message says what). */
    INTERNAL
}
