package dev.pando.node;

import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import java.time.Duration;
import java.util.Objects;

/**
 * What happens in a {@link Node}'s network, as reported by {@link Node#events()}. A sealed family:
 * switch over it with pattern matching. Every event is emitted whether or not anyone listens; a
 * subscriber that falls behind receives one {@link Lagged} in place of what it missed.
 */
public sealed interface NodeEvent {

    /** This node joined the gossip overlay of {@code topic} (on {@link Node#subscribe}). */
    record OverlayJoined(TopicId topic) implements NodeEvent {
        public OverlayJoined {
            Objects.requireNonNull(topic, "topic");
        }
    }

    /** This node left the overlay of {@code topic} ({@link TopicSubscription#close()} or node close). */
    record OverlayLeft(TopicId topic) implements NodeEvent {
        public OverlayLeft {
            Objects.requireNonNull(topic, "topic");
        }
    }

    /** {@code peer} became a neighbour in the overlay of {@code topic}. */
    record NeighbourUp(TopicId topic, PublicKey peer) implements NodeEvent {
        public NeighbourUp {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(peer, "peer");
        }
    }

    /** {@code peer} is no longer a neighbour in the overlay of {@code topic}. */
    record NeighbourDown(TopicId topic, PublicKey peer) implements NodeEvent {
        public NeighbourDown {
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(peer, "peer");
        }
    }

    /**
     * A node was found, or found again with other addresses, by {@code source}: a discovery
     * provider's name, {@code "config"} for peers given to the builder or {@link Node#addPeer},
     * {@code "exchange"} for an address a connected peer told about itself, or {@code "gossip"}
     * for a topic overlay's neighbour (its address as it gave it when joining). Not repeated while
     * the address stays the same.
     */
    record PeerDiscovered(NodeAddress address, String source) implements NodeEvent {
        public PeerDiscovered {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(source, "source");
        }
    }

    /**
     * {@code source} (a discovery provider's name) noticed that {@code peer} left (an mDNS goodbye,
     * a record that expired). A hint: the node may still be reachable through another source.
     */
    record PeerLost(PublicKey peer, String source) implements NodeEvent {
        public PeerLost {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(source, "source");
        }
    }

    /** The first link to {@code peer} came up on the transport named {@code transport}. */
    record ConnectionEstablished(PublicKey peer, String transport) implements NodeEvent {
        public ConnectionEstablished {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(transport, "transport");
        }
    }

    /** The last link to {@code peer} on the transport named {@code transport} closed. */
    record ConnectionClosed(PublicKey peer, String transport) implements NodeEvent {
        public ConnectionClosed {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(transport, "transport");
        }
    }

    /** A sync session of {@code topic} with {@code peer} began; {@code initiator} if this node started it. */
    record SyncStarted(PublicKey peer, TopicId topic, boolean initiator) implements NodeEvent {
        public SyncStarted {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(topic, "topic");
        }
    }

    /**
     * A sync session ended well.
     *
     * @param operationsIn operations received from the peer (each went through ingest)
     * @param operationsOut operations sent to the peer
     * @param bytesIn bytes read from the session's stream
     * @param bytesOut bytes written to it
     * @param forks operations the peer sent that fork a log this node holds (another operation at
     *     the same position): reported, never stored
     * @param duration from the session's start to its end
     */
    record SyncFinished(PublicKey peer, TopicId topic, boolean initiator, long operationsIn, long operationsOut,
                        long bytesIn, long bytesOut, long forks, Duration duration) implements NodeEvent {
        public SyncFinished {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(duration, "duration");
        }
    }

    /**
     * A sync session failed. What it had stored before the failure stays stored.
     *
     * @param reason the kind of failure
     * @param message what happened, for people
     */
    record SyncFailed(PublicKey peer, TopicId topic, boolean initiator, SyncFailure reason, String message)
            implements NodeEvent {
        public SyncFailed {
            Objects.requireNonNull(peer, "peer");
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
        }
    }

    /** The transport named {@code transport} connected to its home relay {@code relay} (again). */
    record RelayConnected(java.net.URI relay, String transport) implements NodeEvent {
        public RelayConnected {
            Objects.requireNonNull(relay, "relay");
            Objects.requireNonNull(transport, "transport");
        }
    }

    /** The connection to the home relay {@code relay} was lost; the transport reconnects by itself. */
    record RelayDisconnected(java.net.URI relay, String transport, String reason) implements NodeEvent {
        public RelayDisconnected {
            Objects.requireNonNull(relay, "relay");
            Objects.requireNonNull(transport, "transport");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * This subscriber missed {@code missed} events because it did not keep up; they are gone for
     * it (other subscribers are not affected). Delivered in the place of the first missed event.
     */
    record Lagged(long missed) implements NodeEvent {
        public Lagged {
            if (missed <= 0) {
                throw new IllegalArgumentException("missed must be positive, got " + missed);
            }
        }
    }
}
