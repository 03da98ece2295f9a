package dev.pando.spi;

import dev.pando.PublicKey;
import java.util.Objects;

/**
 * What a {@link Transport} reports about its links to other nodes. A <em>link</em> is the
 * authenticated physical connection that carries every protocol to one remote node (a transport
 * may hold more than one to a node for a moment, e.g. while two simultaneous dials settle).
 *
 * <p>Per remote node the events alternate, starting with {@link PeerConnected}: the transport
 * emits {@code PeerConnected} when the first authenticated link to the node comes up, and
 * {@link PeerDisconnected} when the last one goes down (the peer closed, the network failed, an
 * idle timeout, or this transport's {@link Transport#close()}). Gossip uses them as "neighbour up"
 * and "neighbour down", so they are emitted as soon as the transport knows.
 */
public sealed interface TransportEvent extends ProviderEvent {

    /** The remote node, whose id the transport has proven. */
    PublicKey peer();

    /**
     * The first authenticated link to {@code peer} is up. Emitted before any dial to the peer
     * completes over it and before any accept handler runs for a connection from it.
     */
    record PeerConnected(PublicKey peer) implements TransportEvent {
        public PeerConnected {
            Objects.requireNonNull(peer, "peer");
        }
    }

    /**
     * The last link to {@code peer} is down: every {@link Connection} to it is closed or closing.
     * Emitted at the latest before {@link Transport#close()} returns, for every peer that was
     * connected.
     */
    record PeerDisconnected(PublicKey peer) implements TransportEvent {
        public PeerDisconnected {
            Objects.requireNonNull(peer, "peer");
        }
    }
}
