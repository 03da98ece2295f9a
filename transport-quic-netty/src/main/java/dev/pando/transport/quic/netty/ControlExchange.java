package dev.pando.transport.quic.netty;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.transport.quic.core.CloseCode;
import dev.pando.transport.quic.core.QuicOptions;
import dev.pando.transport.quic.core.StreamPreamble;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link QuicNettyTransport}'s protocol connections and the streams that carry them: the
 * OPEN_CONNECTION / CLOSE_CONNECTION exchange in both directions (WIRE.md section 4), one
 * {@link QuicNettyConnection} per (remote, protocol) in the {@link PeerTable}, incoming STREAMs
 * handed to their connection, and opening streams on the preferred link, waiting for the peer's
 * stream credit when it has none to spare.
 *
 * <p>Threads and locks: reads and changes the peer table only under the transport's lock
 * ({@link PeerTable#lock}). Incoming control and STREAM streams arrive on the link's event loop;
 * outgoing ones are asked for by callers, the callback thread or an event loop and opened on the
 * link's event loop, which alone touches {@link QuicLink#waitingForStreamCredit}. Accept handlers
 * run on the callback thread.
 */
final class ControlExchange {
    private static final Logger LOG = LoggerFactory.getLogger(QuicNettyTransport.class);

    private final QuicNettyTransport transport;
    private final QuicOptions options;
    private final PeerTable table;
    private final Map<String, Consumer<Connection>> acceptors;

    ControlExchange(QuicNettyTransport transport, QuicOptions options, PeerTable table, Map<String, Consumer<Connection>> acceptors) {
        this.transport = transport;
        this.options = options;
        this.table = table;
        this.acceptors = acceptors;
    }

    /**
     * The open connection for (remote, protocol), created if missing; null if the node has no open
     * link. There is one per (remote, protocol) on each side, whichever side dialed: the wire's
     * STREAM names only the protocol. With {@code acceptHandler} (the remote dialed), the handler
     * gets it on the callback thread the first time; without (we dialed), it is marked dialed.
     */
    private QuicNettyConnection connectionFor(PublicKey remote, String protocol, Consumer<Connection> acceptHandler) {
        QuicNettyConnection c;
        boolean callHandler = false;
        synchronized (table.lock) {
            PeerTable.Peer p = table.peers.get(remote);
            if (p == null || table.preferredLink(p) == null) {
                return null;
            }
            c = p.connections.get(protocol);
            if (c == null || !c.isOpen()) {
                c = new QuicNettyConnection(transport, remote, protocol, options.acceptQueue());
                p.connections.put(protocol, c);
            }
            if (acceptHandler == null) {
                // we dialed and the remote accepted: later dials reuse this connection
                c.dialed = true;
            } else if (!c.handlerCalled) {
                // once per (peer, protocol), also when this node had dialed that protocol first
                c.handlerCalled = true;
                callHandler = true;
            }
        }
        if (callHandler) {
            QuicNettyConnection created = c;
            transport.run(() -> {
                try {
                    acceptHandler.accept(created);
                } catch (RuntimeException e) {
                    transport.count("accept_handler_errors");
                    LOG.warn("accept handler for {} failed", protocol, e);
                }
            });
        }
        return c;
    }

    /** An OPEN_CONNECTION arrived: whether this node accepts the protocol (and now has a connection for it). */
    boolean openConnectionRequested(QuicLink link, String protocol) {
        Consumer<Connection> handler = acceptors.get(protocol);
        if (handler == null) {
            transport.count("unknown_protocol");
            return false;
        }
        return connectionFor(link.remote, protocol, handler) != null;
    }

    /** A STREAM arrived: hand it to the protocol's connection, or abort it. Event loop. */
    void incomingStream(QuicLink link, String protocol, QuicStreamChannel ch, ChannelHandler preambleHandler, ByteBuf leftover) {
        QuicNettyConnection c;
        synchronized (table.lock) {
            PeerTable.Peer p = table.peers.get(link.remote);
            c = p == null ? null : p.connections.get(protocol);
        }
        QuicNettyStream stream = new QuicNettyStream(ch, options.streamTimeout());
        stream.prepend(leftover);
        ch.pipeline().replace(preambleHandler, "pando-stream", stream);
        if (c == null || !c.isOpen()) {
            transport.count("streams_without_connection");
            stream.abort();
            return;
        }
        if (!c.track(stream)) {
            stream.abort();
            return;
        }
        if (!c.offer(stream)) {
            transport.count("streams_refused_queue_full");
        }
    }

    /**
     * Connection.close(): forget it so a later dial or OPEN_CONNECTION makes a new one, and tell
     * the peer with CLOSE_CONNECTION (best effort: not when the link is gone).
     */
    void forget(QuicNettyConnection connection) {
        QuicLink link;
        CompletableFuture<Void> answered = new CompletableFuture<>();
        synchronized (table.lock) {
            PeerTable.Peer p = table.peers.get(connection.remoteNodeId());
            if (p == null || p.connections.get(connection.protocol()) != connection) {
                return;
            }
            p.connections.remove(connection.protocol());
            link = table.preferredLink(p);
            if (link == null || table.state != PeerTable.State.STARTED) {
                if (p.isEmpty()) {
                    table.peers.remove(connection.remoteNodeId());
                }
                return;
            }
            p.closing.put(connection.protocol(), answered);
        }
        answered.whenComplete((v, e) -> {
            synchronized (table.lock) {
                PeerTable.Peer p = table.peers.get(connection.remoteNodeId());
                if (p != null && p.closing.remove(connection.protocol(), answered) && p.isEmpty()) {
                    table.peers.remove(connection.remoteNodeId());
                }
            }
        });
        control(link, StreamPreamble.Kind.CLOSE_CONNECTION, connection.protocol()).whenComplete((s, e) -> {
            if (e != null) {
                transport.count("close_not_answered");
            } else if (s != StreamPreamble.CLOSED) {
                transport.count("protocol_violations");
                PeerTable.closeLink(link, CloseCode.PROTOCOL_VIOLATION, "bad CLOSE_CONNECTION answer");
            }
            answered.complete(null);
        });
    }

    /** A CLOSE_CONNECTION arrived: close this node's connection for the protocol, if it has one. Event loop. */
    void closeRequested(QuicLink link, String protocol) {
        QuicNettyConnection c;
        synchronized (table.lock) {
            PeerTable.Peer p = table.peers.get(link.remote);
            c = p == null ? null : p.connections.remove(protocol);
        }
        if (c != null) {
            c.shutDown("closed by the remote");
        }
    }

    /** Sends an OPEN_CONNECTION or CLOSE_CONNECTION; completes with the answer's status byte, within the stream timeout. */
    private CompletableFuture<Integer> control(QuicLink link, StreamPreamble.Kind kind, String protocol) {
        CompletableFuture<Integer> status = new CompletableFuture<>();
        withStream(link, new ControlStreamHandler(kind, protocol, status), status);
        io.netty.util.concurrent.ScheduledFuture<?> timer = link.channel.eventLoop().schedule(() -> {
            status.completeExceptionally(new DeadlineExceededException("node " + link.remote.hex()
                    + " did not answer " + kind + " within " + options.streamTimeout().toMillis() + " ms"));
        }, options.streamTimeout().toMillis(), TimeUnit.MILLISECONDS);
        status.whenComplete((s, e) -> timer.cancel(false));
        return status;
    }

    /** OPEN_CONNECTION for a dial: completes with the (dialed) connection once the remote accepted. */
    CompletableFuture<Connection> openConnection(QuicLink link, String protocol) {
        CompletableFuture<Connection> result = new CompletableFuture<>();
        control(link, StreamPreamble.Kind.OPEN_CONNECTION, protocol).whenComplete((s, e) -> {
            if (e != null) {
                result.completeExceptionally(QuicNettyTransport.unwrap(e));
            } else if (s == StreamPreamble.ACCEPTED) {
                QuicNettyConnection c = connectionFor(link.remote, protocol, null);
                if (c == null) {
                    result.completeExceptionally(new ConnectionClosedException("connection to node " + link.remote.hex() + " was lost"));
                } else {
                    result.complete(c);
                }
            } else if (s == StreamPreamble.UNKNOWN_PROTOCOL) {
                result.completeExceptionally(new ProtocolViolationException("node " + link.remote.hex() + " does not accept protocol " + protocol));
            } else {
                result.completeExceptionally(new ProtocolViolationException("node " + link.remote.hex() + " answered OPEN_CONNECTION with " + s));
            }
        });
        return result;
    }

    /**
     * Opens a stream with {@code handler} once the peer allows another bidirectional stream;
     * fails {@code failure} when it cannot.
     */
    private void withStream(QuicLink link, ChannelHandler handler, CompletableFuture<?> failure) {
        QuicChannel ch = link.channel;
        ch.eventLoop().execute(() -> {
            Runnable open = () -> ch.createStream(QuicStreamType.BIDIRECTIONAL, handler).addListener(f -> {
                if (!f.isSuccess()) {
                    failure.completeExceptionally(new ConnectionClosedException("cannot open a stream to node "
                            + link.remote.hex() + ": " + f.cause().getMessage(), f.cause()));
                }
            });
            if (!ch.isActive()) {
                failure.completeExceptionally(new ConnectionClosedException("connection to node " + link.remote.hex() + " is closed"));
            } else if (ch.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) > 0 && link.waitingForStreamCredit.isEmpty()) {
                open.run();
            } else {
                // at the peer's stream limit: wait for MAX_STREAMS, bounded by the stream timeout
                link.waitingForStreamCredit.add(open);
                ch.eventLoop().schedule(() -> {
                    if (link.waitingForStreamCredit.remove(open)) {
                        failure.completeExceptionally(new DeadlineExceededException("node " + link.remote.hex()
                                + " allowed no new stream within " + options.streamTimeout().toMillis() + " ms"));
                    }
                }, options.streamTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    /** The peer granted more streams: open those that waited for credit. Event loop. */
    void streamCreditChanged(QuicLink link) {
        QuicChannel ch = link.channel;
        while (!link.waitingForStreamCredit.isEmpty() && ch.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) > 0) {
            link.waitingForStreamCredit.poll().run();
        }
    }

    /** Connection.openStream(): a STREAM on the preferred link to the connection's node. */
    CompletableFuture<DuplexStream> openStream(QuicNettyConnection connection) {
        CompletableFuture<DuplexStream> result = new HandOverFuture<>();
        QuicLink link;
        synchronized (table.lock) {
            PeerTable.Peer p = table.peers.get(connection.remoteNodeId());
            link = p == null ? null : table.preferredLink(p);
        }
        if (link == null) {
            result.completeExceptionally(new ConnectionClosedException("no open connection to node " + connection.remoteNodeId().hex()));
            return result;
        }
        byte[] preamble = new StreamPreamble(StreamPreamble.Kind.STREAM, connection.protocol()).encode();
        CompletableFuture<DuplexStream> opened = new CompletableFuture<>();
        withStream(link, new ChannelInitializer<QuicStreamChannel>() {
            @Override
            protected void initChannel(QuicStreamChannel ch) {
                ch.config().setAutoRead(false);
                ch.config().setAllowHalfClosure(true);
                QuicNettyStream stream = new QuicNettyStream(ch, options.streamTimeout());
                ch.pipeline().addLast(stream);
                ch.writeAndFlush(Unpooled.wrappedBuffer(preamble));
                if (!connection.track(stream)) {
                    stream.abort();
                    opened.completeExceptionally(new ConnectionClosedException("connection closed while opening a stream"));
                } else {
                    opened.complete(stream);
                }
            }
        }, opened);
        opened.whenComplete((s, e) -> {
            if (e != null) {
                transport.fail(result, QuicNettyTransport.unwrap(e));
            } else {
                transport.complete(result, s);
            }
        });
        return result;
    }
}
