package dev.pando.discovery.bootstrap;

/** Why a peer-exchange message or record was refused; each is counted. */
enum Rejection {
    /** Bytes that do not parse: a bad frame type, a short or trailing field, a bad address text. */
    MALFORMED(true),
    /** A frame or record over its size limit, or more records than asked for. */
    OVERSIZED(true),
    /** A record version this node does not read. */
    UNSUPPORTED_VERSION(true),
    /** A record whose signature is not its node's (forged, altered, or of another network). */
    BAD_SIGNATURE(true),
    /** The asker's record names another node than the one proven by the connection. */
    WRONG_OWNER(true),
    /** A peer asking more often than the rate limit allows. */
    RATE_LIMITED(true),
    /** More exchanges at once than this node serves; the stream is refused. */
    BUSY(false),
    /** A record older than {@code record_ttl}: skipped, the exchange goes on (clocks differ). */
    STALE(false),
    /** A record dated more than {@code max_clock_skew} ahead: skipped, the exchange goes on. */
    FUTURE(false);

    /** Whether the connection is dropped for it (a broken or hostile peer) or only the record skipped. */
    final boolean drops;

    Rejection(boolean drops) {
        this.drops = drops;
    }
}
