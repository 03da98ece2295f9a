package dev.pando.spi;

import dev.pando.PublicKey;
import java.util.Set;

/**
 * Which nodes share a topic with a given node, as far as this node knows, so that a discovery that
 * answers other nodes (peer exchange) can hand each asker first the nodes it is likely to want.
 * The node answers from its own topic exchanges only: a node id is in the result when, as the
 * last exchanges found, it shares with this node a topic that this node also shares with the
 * asker. Only node ids cross this interface, never topic ids or hashes; what a discovery does with
 * them must not reveal more than an order or a choice among records it would send anyway.
 *
 * <p>Thread-safe and cheap (in memory, no I/O, bounded by the node's address book); may be called
 * from any thread, at any time, also before the node started or after it closed (then it knows
 * nobody).
 */
@FunctionalInterface
public interface PeerAffinity {

    /**
     * The nodes known to share, with this node, a topic this node also shares with {@code asker};
     * never {@code asker} itself; empty if none is known.
     */
    Set<PublicKey> sharingATopicWith(PublicKey asker);

    /** Knows nobody: what a context without a node's topic state gets. */
    static PeerAffinity none() {
        return asker -> Set.of();
    }
}
