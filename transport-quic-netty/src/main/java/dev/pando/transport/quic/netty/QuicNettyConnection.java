package dev.pando.transport.quic.netty;

import dev.pando.ConnectionClosedException;
import dev.pando.PublicKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.transport.quic.core.AcceptQueue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One protocol's use of the physical connection(s) to one remote node. Outgoing streams go over
 * the transport's preferred link to the node; incoming STREAMs for this protocol from any link to
 * the node land in a bounded accept queue.
 */
final class QuicNettyConnection implements Connection {
    private final QuicNettyTransport transport;
    private final PublicKey remote;
    private final String protocol;
    private final AcceptQueue<QuicNettyStream> incoming;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** This node sent OPEN_CONNECTION for it and the remote accepted; guarded by the transport's lock. */
    boolean dialed;
    /** The accept handler has been given it; guarded by the transport's lock. */
    boolean handlerCalled;

    // guarded by this
    private final Set<QuicNettyStream> open = new HashSet<>();
    private boolean isClosed;

    QuicNettyConnection(QuicNettyTransport transport, PublicKey remote, String protocol, int acceptQueue) {
        this.transport = transport;
        this.remote = remote;
        this.protocol = protocol;
        this.incoming = new AcceptQueue<>(acceptQueue, new AcceptQueue.Completion() {
            @Override
            public CompletableFuture<DuplexStream> newFuture() {
                return new HandOverFuture<>();
            }

            @Override
            public void complete(CompletableFuture<DuplexStream> future, DuplexStream stream) {
                transport.complete(future, stream);
            }

            @Override
            public void fail(CompletableFuture<DuplexStream> future, RuntimeException error) {
                transport.fail(future, error);
            }
        });
    }

    @Override
    public PublicKey remoteNodeId() {
        return remote;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public CompletableFuture<DuplexStream> openStream() {
        if (!isOpen()) {
            return CompletableFuture.failedFuture(new ConnectionClosedException("connection to " + remote.hex() + " for " + protocol + " is closed"));
        }
        return transport.openStream(this);
    }

    @Override
    public CompletableFuture<DuplexStream> acceptStream() {
        return incoming.take(() -> new ConnectionClosedException("connection to " + remote.hex() + " for " + protocol + " is closed"));
    }

    /** Tracks a stream of this connection so {@link #close()} can abort it. */
    boolean track(QuicNettyStream stream) {
        synchronized (this) {
            if (isClosed) {
                return false;
            }
            open.add(stream);
        }
        stream.onClose(s -> {
            synchronized (this) {
                open.remove(s);
            }
        });
        return true;
    }

    /**
     * Hands an incoming stream to a waiting {@link #acceptStream()} or queues it; aborts it when the
     * queue is full or the connection closed. Returns whether it was taken.
     */
    boolean offer(QuicNettyStream stream) {
        boolean taken = isOpen() && incoming.offer(stream);
        if (!taken) {
            stream.abort();
        }
        return taken;
    }

    @Override
    public boolean isOpen() {
        synchronized (this) {
            return !isClosed;
        }
    }

    @Override
    public CompletionStage<Void> closed() {
        return closed.minimalCompletionStage();
    }

    @Override
    public void close() {
        if (shutDown("connection closed locally")) {
            transport.forget(this);
        }
    }

    /** Closes this connection without telling the transport (it already knows). */
    boolean shutDown(String reason) {
        List<QuicNettyStream> toAbort;
        synchronized (this) {
            if (isClosed) {
                return false;
            }
            isClosed = true;
            toAbort = new ArrayList<>(open);
            open.clear();
        }
        ConnectionClosedException e = new ConnectionClosedException("connection to " + remote.hex() + " for " + protocol + ": " + reason);
        toAbort.addAll(incoming.close(e));
        for (QuicNettyStream s : toAbort) {
            s.abort();
        }
        transport.complete(closed, null);
        return true;
    }

    @Override
    public String toString() {
        return "QuicNettyConnection[" + remote.hex().substring(0, 8) + ", " + protocol + "]";
    }
}
