package dev.pando.spi;

import dev.pando.NodeAddress;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Authenticated connections between nodes, multiplexed into named protocols and bidirectional
 * streams.
 *
 * <p><b>Contract</b> (checked by the testkit's {@code TransportContract}):
 * <ul>
 *   <li>Lifecycle: {@link #accept} handlers are registered before {@link #start()}; {@code start}
 *       binds sockets and starts threads; {@link #close()} is idempotent, closes every connection
 *       and leaves no thread of the transport behind.</li>
 *   <li>Identity: the remote node id of every {@link Connection} is proven cryptographically during
 *       the handshake. Dialing a {@link NodeAddress} whose node id differs from the node actually
 *       reached fails with {@link dev.pando.ProtocolViolationException}.</li>
 *   <li>Protocols: names carry a version ({@code pando/sync/1}) and are bound to the
 *       {@link dev.pando.NetworkId}: a node of another network cannot connect (the dial fails with
 *       {@link dev.pando.ProtocolViolationException}), and dialing a protocol
 *       the remote does not accept fails with {@link dev.pando.ProtocolViolationException}.</li>
 *   <li>One physical connection per remote node is shared by all protocols; concurrent dials to
 *       the same node coalesce.</li>
 *   <li>Errors are typed: {@link dev.pando.ConnectionClosedException},
 *       {@link dev.pando.DeadlineExceededException}, {@link dev.pando.ProtocolViolationException}.</li>
 * </ul>
 */
public interface Transport extends AutoCloseable {

    /**
     * Accepts incoming connections for a protocol: {@code handler} is called, on a transport
     * thread that it must not block, once for each remote node that dials this protocol.
     *
     * @throws IllegalStateException if called after {@link #start()} or twice for one protocol
     */
    void accept(String protocol, Consumer<Connection> handler);

    /** Binds sockets and starts threads. */
    void start();

    /** This node's id and the socket addresses it listens on; valid after {@link #start()}. */
    NodeAddress localAddress();

    /**
     * Connects to a node for a protocol, reusing an open connection to that node if there is one.
     * The future fails with {@link dev.pando.ProtocolViolationException} (wrong node id, unknown
     * protocol, failed identity proof), {@link dev.pando.DeadlineExceededException} (dial timeout) or
     * {@link dev.pando.ConnectionClosedException} (unreachable, transport closed).
     */
    CompletableFuture<Connection> dial(NodeAddress remote, String protocol);

    /** Closes every connection and releases sockets and threads. Idempotent. */
    @Override
    void close();
}
