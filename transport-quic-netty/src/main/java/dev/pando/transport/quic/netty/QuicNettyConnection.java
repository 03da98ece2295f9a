package dev.pando.transport.quic.netty;

import dev.pando.ConnectionClosedException;
import dev.pando.PublicKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import java.util.ArrayDeque;
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
    private final int acceptQueue;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** This node sent OPEN_CONNECTION for it and the remote accepted; guarded by the transport's lock. */
    boolean dialed;
    /** The accept handler has been given it; guarded by the transport's lock. */
    boolean handlerCalled;

    // guarded by this
    private final ArrayDeque<QuicNettyStream> ready = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<DuplexStream>> waiting = new ArrayDeque<>();
    private final Set<QuicNettyStream> open = new HashSet<>();
    private boolean isClosed;

    QuicNettyConnection(QuicNettyTransport transport, PublicKey remote, String protocol, int acceptQueue) {
        this.transport = transport;
        this.remote = remote;
        this.protocol = protocol;
        this.acceptQueue = acceptQueue;
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
        synchronized (this) {
            if (!ready.isEmpty()) {
                return CompletableFuture.completedFuture(ready.poll());
            }
            if (isClosed) {
                return CompletableFuture.failedFuture(new ConnectionClosedException("connection to " + remote.hex() + " for " + protocol + " is closed"));
            }
            CompletableFuture<DuplexStream> f = new HandOverFuture<>();
            waiting.add(f);
            // a caller that gives up (cancels) must not leave its future in the queue
            f.whenComplete((s, e) -> {
                if (f.isCancelled()) {
                    synchronized (this) {
                        waiting.remove(f);
                    }
                }
            });
            return f;
        }
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
        CompletableFuture<DuplexStream> taker = null;
        boolean taken = false;
        synchronized (this) {
            if (!isClosed) {
                while (taker == null && !waiting.isEmpty()) {
                    CompletableFuture<DuplexStream> w = waiting.poll();
                    if (!w.isDone()) {
                        taker = w;
                    }
                }
                if (taker == null && ready.size() < acceptQueue) {
                    ready.add(stream);
                    taken = true;
                }
            }
        }
        if (taker != null) {
            transport.complete(taker, stream);
            return true;
        }
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
        List<CompletableFuture<DuplexStream>> toFail;
        synchronized (this) {
            if (isClosed) {
                return false;
            }
            isClosed = true;
            toAbort = new ArrayList<>(open);
            toAbort.addAll(ready);
            open.clear();
            ready.clear();
            toFail = new ArrayList<>(waiting);
            waiting.clear();
        }
        for (QuicNettyStream s : toAbort) {
            s.abort();
        }
        ConnectionClosedException e = new ConnectionClosedException("connection to " + remote.hex() + " for " + protocol + ": " + reason);
        for (CompletableFuture<DuplexStream> f : toFail) {
            transport.fail(f, e);
        }
        transport.complete(closed, null);
        return true;
    }

    @Override
    public String toString() {
        return "QuicNettyConnection[" + remote.hex().substring(0, 8) + ", " + protocol + "]";
    }
}
