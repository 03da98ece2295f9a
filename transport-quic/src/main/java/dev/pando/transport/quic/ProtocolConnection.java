package dev.pando.transport.quic;

import dev.pando.ConnectionClosedException;
import dev.pando.PublicKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.transport.quic.core.AcceptQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One protocol's use of a {@link PeerLink}: the node keeps one per (remote node, protocol), shared
 * by its dials and the remote's. Streams it opens go over its link; incoming STREAMs for its
 * protocol wait in a bounded queue.
 */
final class ProtocolConnection implements Connection {
    private volatile PeerLink link;
    private final String protocol;
    private final AcceptQueue<KwikStream> incoming;
    private final Set<KwikStream> streams = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicBoolean openedByUs = new java.util.concurrent.atomic.AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicBoolean acceptedFromPeer = new java.util.concurrent.atomic.AtomicBoolean();

    ProtocolConnection(PeerLink link, String protocol, int acceptQueue) {
        this.link = link;
        this.protocol = protocol;
        this.incoming = new AcceptQueue<>(acceptQueue, AcceptQueue.DIRECT);
    }

    /** Whether this node's dial of the protocol was answered "accepted" (a later dial reuses it). */
    boolean openedByUs() {
        return openedByUs.get();
    }

    void markOpenedByUs() {
        openedByUs.set(true);
    }

    /** True exactly once: when the remote's first OPEN_CONNECTION for it arrives (call the handler then). */
    boolean markAcceptedFromPeer() {
        return acceptedFromPeer.compareAndSet(false, true);
    }

    PeerLink link() {
        return link;
    }

    /**
     * Moves this connection to a newer physical connection to the same node (the peer reconnected
     * or both dialed at once): new streams go there, streams already open stay where they are.
     */
    void rebind(PeerLink newer) {
        PeerLink older = link;
        if (older == newer) {
            return;
        }
        link = newer;
        newer.bind(this);
        older.unbind(this);
    }

    @Override
    public PublicKey remoteNodeId() {
        return link.remoteNodeId();
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public CompletableFuture<DuplexStream> openStream() {
        if (!isOpen()) {
            return CompletableFuture.failedFuture(closedError());
        }
        return link.openStream(this).thenApply(s -> {
            if (!track(s)) {
                s.abort();
                throw new ConnectionClosedException("connection for " + protocol + " closed while opening a stream");
            }
            return (DuplexStream) s;
        });
    }

    @Override
    public CompletableFuture<DuplexStream> acceptStream() {
        return incoming.take(this::closedError);
    }

    /** An incoming STREAM for this protocol; false if it was refused (closed, or queue full). */
    boolean offer(KwikStream stream) {
        if (!isOpen() || !track(stream)) {
            return false;
        }
        if (!incoming.offer(stream)) {
            streams.remove(stream);
            return false;
        }
        return true;
    }

    private boolean track(KwikStream s) {
        streams.add(s);
        if (!isOpen()) {
            streams.remove(s);
            return false;
        }
        return true;
    }

    void released(KwikStream s) {
        streams.remove(s);
    }

    @Override
    public boolean isOpen() {
        return !closed.isDone();
    }

    @Override
    public CompletionStage<Void> closed() {
        return closed.minimalCompletionStage();
    }

    @Override
    public void close() {
        if (shutdown()) {
            link.connectionClosed(this);
        }
    }

    /**
     * Closes this connection without telling the link (the link is going away itself, or the
     * remote closed the connection). Returns whether it was open.
     */
    boolean shutdown() {
        if (!closed.complete(null)) {
            return false;
        }
        incoming.close(closedError()).forEach(KwikStream::abort);
        for (KwikStream s : streams.toArray(KwikStream[]::new)) {
            s.abort();
        }
        streams.clear();
        return true;
    }

    private ConnectionClosedException closedError() {
        String cause = link.closeCause();
        return new ConnectionClosedException("connection to " + link.remoteNodeId() + " for " + protocol + " is closed"
                + (cause == null ? "" : " (" + cause + ")"));
    }

    @Override
    public String toString() {
        return "Connection[" + protocol + " to " + link.remoteNodeId() + "]";
    }
}
