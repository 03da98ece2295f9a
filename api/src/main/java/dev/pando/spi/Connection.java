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
     * Closes this connection for this protocol, on both sides: its open streams are aborted (the
     * peer's reads and writes on them fail), and the peer's {@code Connection} for the protocol
     * closes too, its {@link #closed()} completing. Other protocols to the same node are not
     * affected. A later dial for the same (peer, protocol) makes a new {@code Connection}, and the
     * peer's accept handler runs again. Telling the peer is best effort: if the physical connection
     * is gone or no stream can be opened in time, the peer learns of it when its own connection
     * fails. Idempotent.
     */
    @Override
    void close();
}
