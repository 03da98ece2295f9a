package dev.pando.spi;

import dev.pando.PublicKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * An authenticated connection to one remote node, for one protocol. Several {@code Connection}s
 * to the same node (one per protocol) may share one physical connection. Thread-safe.
 */
public interface Connection extends AutoCloseable {

    /** The remote node's id, proven during the handshake. */
    PublicKey remoteNodeId();

    /** The protocol this connection was dialed or accepted for. */
    String protocol();

    /**
     * Opens a bidirectional stream for this protocol. Fails with
     * {@link dev.pando.ConnectionClosedException} if the connection is closed, or
     * {@link dev.pando.DeadlineExceededException} if the peer does not allow another stream in time.
     */
    CompletableFuture<DuplexStream> openStream();

    /**
     * Completes with the next stream the remote opened for this protocol. Incoming streams wait in
     * a bounded queue; when it is full, further streams are refused. Fails with
     * {@link dev.pando.ConnectionClosedException} once the connection is closed.
     */
    CompletableFuture<DuplexStream> acceptStream();

    boolean isOpen();

    /** Completes when this connection is closed, by either side or by a failure. */
    CompletionStage<Void> closed();

    /**
     * Closes this protocol's use of the connection on both ends: open streams are aborted and the
     * peer's {@link #closed()} completes. A later dial for the same (peer, protocol) makes a new
     * {@code Connection}, and the acceptor's handler fires again for it. Idempotent.
     */
    @Override
    void close();
}
