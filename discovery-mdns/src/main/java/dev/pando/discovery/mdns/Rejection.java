package dev.pando.discovery.mdns;

/**
 * Why a received record was not used. Each is counted; none stops the discovery. The first four are
 * expected on a healthy network, the others mean a broken or hostile sender.
 */
enum Rejection {
    /** This node's own record, echoed back by the multicast group. */
    OWN_RECORD,
    /** A record of a node of another Pando network (its {@code net=} differs). */
    OTHER_NETWORK,
    /** A resolution without the TXT entries yet: jmdns reports those between full ones. */
    INCOMPLETE,
    /** A record version ({@code v=}) this implementation does not read. */
    UNSUPPORTED_VERSION,
    /** The TXT record is longer than {@value MdnsRecord#MAX_RECEIVED_TXT_BYTES} bytes or not length-prefixed strings. */
    OVERSIZED_OR_TRUNCATED,
    /** A TXT entry holds a byte outside printable ASCII. */
    NOT_ASCII,
    /** {@code id=} is not 64 hex characters of a usable Ed25519 public key. */
    BAD_NODE_ID,
    /** {@code net=} is not 64 hex characters. */
    BAD_NETWORK_ID,
    /** The instance name is not the z-base-32 form of {@code id=}. */
    NAME_MISMATCH,
    /** An address entry is not an IP literal with a port, the relay is not a URL, or there are too many. */
    BAD_ADDRESS,
    /** Neither a direct address nor a relay: nothing to reach. */
    NO_ADDRESS,
    /** {@code r=} or {@code b=} malformed, out of range, or one without the other. */
    BAD_REFRESH
}
