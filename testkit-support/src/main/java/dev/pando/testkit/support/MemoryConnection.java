package dev.pando.testkit.support;

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

/** One end of one protocol's connection on a {@link MemoryLink}. State guarded by the network's lock. */
final class MemoryConnection implements Connection {
    final MemoryNetwork network;
    final MemoryLink link;
    final MemoryTransport local;
    final MemoryTransport remote;
    final String protocol;
    MemoryConnection peer;
    boolean open = true;
    boolean handlerFired;
    /** Streams of this end not yet finished in both directions (aborted when the connection closes). */
    final Set<MemoryStream> streams = new HashSet<>();
    /** Streams the peer opened that no acceptStream() has taken yet; at most local.acceptQueue. */
    final ArrayDeque<MemoryStream> incoming = new ArrayDeque<>();
    final ArrayDeque<CompletableFuture<DuplexStream>> waiting = new ArrayDeque<>();
    final CompletableFuture<Void> closedFuture = new CompletableFuture<>();

    MemoryConnection(MemoryNetwork network, MemoryLink link, MemoryTransport local, MemoryTransport remote, String protocol) {
        this.network = network;
        this.link = link;
        this.local = local;
        this.remote = remote;
        this.protocol = protocol;
    }

    @Override
    public PublicKey remoteNodeId() {
        return remote.id;
    }

    @Override
    public String protocol() {
        return protocol;
    }

    @Override
    public CompletableFuture<DuplexStream> openStream() {
        MemoryStream mine;
        CompletableFuture<DuplexStream> taker = null;
        MemoryStream theirs;
        network.lock.lock();
        try {
            if (!open) {
                return CompletableFuture.failedFuture(new ConnectionClosedException(
                        "connection to " + remote.id + " for " + protocol + " is closed"));
            }
            MemoryPipe out = new MemoryPipe(network, local, remote, remote.streamWindow);
            MemoryPipe in = new MemoryPipe(network, remote, local, local.streamWindow);
            mine = new MemoryStream(this, in, out, local.streamTimeout);
            theirs = new MemoryStream(peer, out, in, remote.streamTimeout);
            out.ends(mine, theirs);
            in.ends(theirs, mine);
            streams.add(mine);
            taker = peer.waiting.poll();
            while (taker != null && taker.isDone()) {
                // cancelled by the application
                taker = peer.waiting.poll();
            }
            if (taker != null) {
                peer.streams.add(theirs);
            } else if (peer.incoming.size() < remote.acceptQueue) {
                peer.incoming.add(theirs);
                peer.streams.add(theirs);
            } else {
                // the peer is not accepting fast enough: refuse, as QUIC providers abort the stream
                mine.abortBoth("node " + remote.id + " refused the stream: its accept queue of "
                        + remote.acceptQueue + " streams for " + protocol + " is full");
            }
        } finally {
            network.lock.unlock();
        }
        if (taker != null) {
            CompletableFuture<DuplexStream> f = taker;
            remote.callback(() -> {
                if (!f.complete(theirs)) {
                    theirs.abortBoth("the accepting side cancelled its acceptStream()");
                }
            });
        }
        return CompletableFuture.completedFuture(mine);
    }

    @Override
    public CompletableFuture<DuplexStream> acceptStream() {
        network.lock.lock();
        try {
            MemoryStream next = incoming.poll();
            if (next != null) {
                return CompletableFuture.completedFuture(next);
            }
            if (!open) {
                return CompletableFuture.failedFuture(new ConnectionClosedException(
                        "connection to " + remote.id + " for " + protocol + " is closed"));
            }
            CompletableFuture<DuplexStream> f = new CompletableFuture<>();
            waiting.add(f);
            return f;
        } finally {
            network.lock.unlock();
        }
    }

    @Override
    public boolean isOpen() {
        network.lock.lock();
        try {
            return open;
        } finally {
            network.lock.unlock();
        }
    }

    @Override
    public CompletionStage<Void> closed() {
        return closedFuture.minimalCompletionStage();
    }

    @Override
    public void close() {
        List<Runnable> after = new ArrayList<>();
        network.lock.lock();
        try {
            if (open) {
                network.closeConnection(this, "node " + local.id + " closed its " + protocol + " connection", after);
            }
        } finally {
            network.lock.unlock();
        }
        after.forEach(Runnable::run);
    }

    @Override
    public String toString() {
        return "MemoryConnection[" + local.id + " -> " + remote.id + ", " + protocol + "]";
    }
}
