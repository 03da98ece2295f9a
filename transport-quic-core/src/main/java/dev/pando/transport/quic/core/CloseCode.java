package dev.pando.transport.quic.core;

import java.util.Optional;

/**
 * The QUIC application error codes with which Pando nodes close a connection (CONNECTION_CLOSE of
 * type 0x1d, RFC 9000 section 19.19), the same in every provider (WIRE.md, "Close codes"). A
 * receiver treats a code it does not know like {@link #NORMAL}: the connection is gone either way;
 * the code only explains why, in logs and error messages.
 */
public enum CloseCode {
    /** The node no longer needs the connection: shutdown, idle, replaced, dial abandoned. */
    NORMAL(0, "normal", "the node closed a connection it no longer needs"),
    /** The server refuses the client's identity proof, or the hello was malformed. */
    AUTH_FAILED(1, "identity proof failed", "the client's identity proof was malformed or did not verify"),
    /** The client did not complete its identity proof within the server's handshake timeout. */
    AUTH_TIMEOUT(2, "no identity proof in time", "the client did not prove its identity within the handshake timeout"),
    /** A connection limit (in total or per peer) is reached, or the node is shutting down. */
    LIMIT(3, "connection limit", "the node accepts no more connections"),
    /** The peer broke the wire protocol: a malformed preamble or answer, bytes where none belong. */
    PROTOCOL_VIOLATION(4, "protocol violation", "the peer broke the Pando wire protocol"),
    /** The dialer reached a node whose certificate proves another node id than the one dialed. */
    IDENTITY_MISMATCH(5, "identity mismatch", "the node reached is not the node dialed"),
    /** The connection negotiated {@link Alpn#OTHER_NETWORK}: the two nodes are of different networks. */
    OTHER_NETWORK(6, "other network", "the nodes belong to different networks"),
    /**
     * A stream made no progress within its deadline and the node dropped the whole connection
     * (the kwik provider's answer to kwik's stall, transport-quic README).
     */
    STALLED(7, "stalled", "a stream made no progress within its deadline");

    private final int code;
    private final String words;
    private final String description;

    CloseCode(int code, String words, String description) {
        this.code = code;
        this.words = words;
        this.description = description;
    }

    /** The application error code on the wire. */
    public int code() {
        return code;
    }

    /** A few words for error messages: {@code "protocol violation"}. */
    public String words() {
        return words;
    }

    /** One sentence saying what the code means. */
    public String description() {
        return description;
    }

    /** The close code with this wire value, if Pando defines one. */
    public static Optional<CloseCode> of(long code) {
        for (CloseCode c : values()) {
            if (c.code == code) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** A received code in words for error messages: {@code "code 4 (protocol violation)"}, {@code "code 99 (unknown)"}. */
    public static String describe(long code) {
        return "code " + code + " (" + of(code).map(CloseCode::words).orElse("unknown") + ")";
    }
}
