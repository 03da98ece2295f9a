package dev.pando.transport.quic.netty;

import dev.pando.PublicKey;
import dev.pando.transport.quic.core.PeerLinks;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.util.AttributeKey;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One physical QUIC connection and what the wire scheme knows about it: which side dialed, and
 * once the identity exchange is done, the proven remote node id.
 */
final class QuicLink implements PeerLinks.Link {
    static final AttributeKey<QuicLink> KEY = AttributeKey.valueOf("dev.pando.quic.netty.link");

    /** Whether the remote dialed us (we are the QUIC server of this connection). */
    final boolean accepted;
    /** Completes (on the event loop) with this link once the remote id is proven. */
    final CompletableFuture<QuicLink> authenticated = new CompletableFuture<>();

    volatile QuicChannel channel;
    volatile PublicKey remote;
    /** The last CONNECTION_CLOSE seen, to explain a failed handshake. */
    volatile QuicConnectionCloseEvent closeEvent;

    // event loop only
    boolean authStreamSeen;
    final ArrayDeque<Runnable> waitingForStreamCredit = new ArrayDeque<>();
    ScheduledFuture<?> keepAlive;

    QuicLink(boolean accepted) {
        this.accepted = accepted;
    }

    boolean isAuthenticated() {
        return authenticated.isDone() && !authenticated.isCompletedExceptionally();
    }

    @Override
    public boolean accepted() {
        return accepted;
    }

    @Override
    public boolean isOpen() {
        QuicChannel c = channel;
        return c != null && c.isActive();
    }

    @Override
    public String toString() {
        PublicKey r = remote;
        return "QuicLink[" + (accepted ? "accepted from " : "dialed to ") + (r == null ? "?" : r.hex().substring(0, 8)) + "]";
    }
}
