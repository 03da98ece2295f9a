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
 *   <li>One physical connection (a <em>link</em>) per remote node is shared by all protocols;
 *       concurrent dials to the same node coalesce.</li>
 *   <li>Links are reported: the transport emits {@link TransportEvent.PeerConnected} and
 *       {@link TransportEvent.PeerDisconnected} to the {@link EventSink} of its context's
 *       {@link NodeServices}, as {@link TransportEvent} describes.</li>
 *   <li>Errors are typed: {@link dev.pando.ConnectionClosedException},
 *       {@link dev.pando.DeadlineExceededException}, {@link dev.pando.ProtocolViolationException},
 *       {@link dev.pando.UnsupportedAddressException}; never to be told apart by message text.</li>
 * </ul>
 *
 * <p><b>Threads.</b> Accept handlers and the completion of every future this transport returns
 * (from {@link #dial}, {@link Connection#openStream()}, {@link Connection#acceptStream()},
 * {@link Connection#closed()}) run on a thread of the transport, or the future is already complete
 * when returned (then dependent actions run on the caller's thread). Actions attached with
 * {@code thenApply}, {@code whenComplete} and the like therefore must not block: use the
 * {@code …Async} variants with {@link NodeServices#executor()} for blocking work. Each call
 * returns a future of its own: a caller that cancels it abandons its result, and a caller that
 * completes it fools only itself; neither changes anything for other callers (a dial coalesced
 * with theirs) or for the transport. (The contract checks it; a {@code CompletionStage} return
 * type would not, since {@code toCompletableFuture()} may hand out the same object.)
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
     * Whether this transport can try to reach {@code remote} at all: the address has a part this
     * transport dials (a direct QUIC transport needs a direct address of an IP family it can send
     * to; a relay transport needs a relay URL). A true answer promises nothing about reachability;
     * a false one means {@link #dial} fails at once with
     * {@link dev.pando.UnsupportedAddressException}. Cheap, does no I/O, and may be called before
     * {@link #start()} (the answer may then be based on the configured bind address).
     */
    boolean supports(NodeAddress remote);

    /**
     * Connects to a node for a protocol, reusing an open connection to that node if there is one.
     * The future fails with
     * <ul>
     *   <li>{@link IllegalArgumentException} for an invalid protocol name, or when {@code remote}
     *       names this node's own id (message "cannot dial this node's own id &lt;id hex&gt;"),
     *       whatever the address's other parts;</li>
     *   <li>{@link dev.pando.UnsupportedAddressException} if {@link #supports(NodeAddress)} is false
     *       for {@code remote} (also when a connection to that node is open);</li>
     *   <li>{@link dev.pando.ProtocolViolationException} (wrong node id, unknown protocol, failed
     *       identity proof, another network);</li>
     *   <li>{@link dev.pando.DeadlineExceededException} (dial timeout);</li>
     *   <li>{@link dev.pando.ConnectionClosedException} (unreachable, transport not started or
     *       closed).</li>
     * </ul>
     * See the class documentation for the thread that completes it.
     */
    CompletableFuture<Connection> dial(NodeAddress remote, String protocol);

    /**
     * Closes every connection and releases sockets and threads. Idempotent. Before it returns, the
     * transport has emitted {@link TransportEvent.PeerDisconnected} for every peer it had reported
     * connected.
     */
    @Override
    void close();
}
