package dev.pando.spi;

/**
 * What a {@link Gossip} service has counted since it was created, summed over its topics, for
 * metrics and for simulators that measure redundancy. Every value only grows.
 *
 * @param sent message payloads sent to neighbours (a message pushed to three neighbours counts three)
 * @param received message payloads received from neighbours, duplicates included
 * @param delivered messages handed to a {@link GossipListener} (each message once)
 * @param duplicates payloads received for a message already delivered
 * @param grafts requests to a neighbour for a message it announced and this node missed, sent
 * @param prunes requests to a neighbour to stop pushing messages eagerly, sent
 * @param dropped messages not sent or not delivered because a bounded queue was full
 * @param peersDisconnected connections closed because the peer broke the protocol (garbage,
 *     oversized frames, floods)
 */
public record GossipCounters(long sent, long received, long delivered, long duplicates, long grafts, long prunes,
                             long dropped, long peersDisconnected) {
}
