package dev.pando.discovery.mdns;

/** What the mdns discovery counts besides {@link Rejection}s. */
enum MdnsCounter {
    /** Resolved records handed to the discovery by jmdns (several per announcement). */
    RECORDS_READ,
    /** PeerDiscovered events emitted (new nodes and changed addresses). */
    PEERS_DISCOVERED,
    /** PeerLost events emitted (goodbyes and expired records). */
    PEERS_LOST,
    /** Peers taken for gone because no new beat came for three refresh intervals they promised (also counted in PEERS_LOST). */
    PEERS_EXPIRED,
    /** Peers forgotten to stay within max_peers (least recently announced first). */
    PEERS_EVICTED,
    /** Refreshes of this node's record (new beats) handed to jmdns. */
    REFRESHES,
    /** Announcements jmdns refused. */
    ANNOUNCE_FAILED,
    /** jmdns instances whose listener thread could not be made a daemon. */
    NON_DAEMON_THREADS
}
