package dev.pando.transport.relay;

import dev.pando.ConfigurationException;
import dev.pando.PrivateKey;
import dev.pando.spi.EventSink;
import dev.pando.spi.RelayEvent;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's one connection to its home relay: connects, proves the node id, carries packets, and
 * when the connection is lost connects again after an exponential backoff with jitter (100 ms
 * doubling to 5 s, each delay drawn from its upper half), until {@link #close()}.
 *
 * <p>Threads: the connection runs on an event loop of the group given to {@link #start};
 * {@link Receiver} methods are called there. {@link #send} and {@link #flush} may be called from
 * any thread.
 */
final class RelayClient {
    private static final Logger LOG = LoggerFactory.getLogger(RelayClient.class);
    static final long MIN_BACKOFF_MS = 100;
    static final long MAX_BACKOFF_MS = 5_000;
    private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
    /** Larger than any QUIC packet plus the relay header; the relay's own limit may be larger. */
    private static final int MAX_FRAME = 64 * 1024;

    /** Where received packets go; called on the connection's event loop. */
    interface Receiver {
        /** A packet from {@code source}; takes ownership of {@code payload}. */
        void received(PublicKey source, ByteBuf payload);

        /** The relay has no client with this id (answer to a packet sent to it). */
        void peerGone(PublicKey node);

        /** The end of a burst of {@link #received} calls (one read of the relay connection). */
        void readComplete();
    }

    private final URI relay;
    /** Told of each authenticated connection to the relay and of each one lost ({@link RelayEvent}). */
    private final EventSink events;
    private final PrivateKey identity;
    private final Receiver receiver;
    private final SslContext ssl;
    private final String host;
    private final int port;
    private final CompletableFuture<Void> firstConnection = new CompletableFuture<>();
    final AtomicLong droppedNotConnected = new AtomicLong();
    final AtomicLong droppedBackpressure = new AtomicLong();
    final AtomicLong connects = new AtomicLong();

    private volatile EventLoopGroup group;
    private volatile Channel current;
    private volatile boolean closed;
    private volatile Channel attempt;
    private int failures; // event loop of the last attempt, or start()

    RelayClient(RelayOptions options, PrivateKey identity, Receiver receiver, EventSink events) {
        this.events = events;
        this.relay = options.relayUrl();
        this.identity = identity;
        this.receiver = receiver;
        this.host = relay.getHost();
        this.port = relay.getPort();
        try {
            if (options.tls()) {
                SslContextBuilder b = SslContextBuilder.forClient();
                if (options.caFile().isPresent()) {
                    b.trustManager(options.caFile().get().toFile());
                }
                ssl = b.build();
            } else {
                ssl = null;
            }
        } catch (Exception e) {
            throw new ConfigurationException("cannot set up TLS for relay " + relay + ": " + e.getMessage(), e);
        }
    }

    /** Starts connecting; the future completes when the first connection is authenticated. */
    CompletableFuture<Void> start(EventLoopGroup group) {
        this.group = group;
        connect();
        return firstConnection;
    }

    /** The event loop of the current relay connection, or null while there is none (tests). */
    io.netty.channel.EventLoop channelLoop() {
        Channel c = current;
        return c == null ? null : c.eventLoop();
    }

    boolean isConnected() {
        Channel c = current;
        return c != null && c.isActive();
    }

    /** The authority the client signs and sends as Host (what the relay checks the proof against). */
    private String authority() {
        return host + ":" + port;
    }

    private void connect() {
        if (closed) {
            return;
        }
        URI ws = URI.create((ssl != null ? "wss" : "ws") + "://" + authority() + RelayServer.PATH);
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 1024 * 1024))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ssl != null) {
                            ch.pipeline().addLast(ssl.newHandler(ch.alloc(), host, port));
                        }
                        long ka = KEEP_ALIVE.toMillis();
                        ch.pipeline().addLast(
                                new HttpClientCodec(),
                                new HttpObjectAggregator(8192),
                                new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder()
                                        .webSocketUri(ws)
                                        .customHeaders(new DefaultHttpHeaders().set(HttpHeaderNames.HOST, authority()))
                                        .maxFramePayloadLength(MAX_FRAME)
                                        .handshakeTimeoutMillis(10_000)
                                        .dropPongFrames(true)
                                        .handleCloseFrames(false)
                                        .build()),
                                new IdleStateHandler(3 * ka, ka, 0, TimeUnit.MILLISECONDS),
                                new Connection());
                    }
                });
        ChannelFuture f = b.connect(host, port);
        attempt = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                LOG.debug("cannot connect to relay {}: {}", relay, done.cause().toString());
                retry();
            } else {
                f.channel().closeFuture().addListener(c -> {
                    if (current == f.channel() && !closed) {
                        events.emit(new RelayEvent.Disconnected(relay, "the connection to the relay closed"));
                    }
                    retry();
                });
            }
        });
    }

    /** Schedules the next attempt (once per lost connection or failed attempt). */
    private void retry() {
        if (closed) {
            return;
        }
        current = null;
        int n;
        synchronized (this) {
            n = failures++;
        }
        long cap = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(n, 16));
        long delay = cap / 2 + ThreadLocalRandom.current().nextLong(cap / 2 + 1);
        try {
            group.next().schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            // the transport is closing
        }
    }

    /**
     * Sends {@code payload} to {@code destination} through the relay; takes ownership of it. Drops
     * it (and returns false) while not connected or when the connection's buffer is full: QUIC
     * recovers lost packets, and queueing here would only add delay.
     */
    boolean send(PublicKey destination, ByteBuf payload) {
        Channel c = current;
        if (c == null || !c.isActive()) {
            payload.release();
            droppedNotConnected.incrementAndGet();
            return false;
        }
        if (!c.isWritable()) {
            payload.release();
            droppedBackpressure.incrementAndGet();
            return false;
        }
        c.write(new BinaryWebSocketFrame(RelayFrame.packet(c.alloc(), RelayFrame.SEND, destination, payload)), c.voidPromise());
        return true;
    }

    void flush() {
        Channel c = current;
        if (c != null) {
            c.flush();
        }
    }

    /** Closes the connection and stops reconnecting; waits briefly for the close to go out. */
    void close() {
        closed = true;
        firstConnection.completeExceptionally(new dev.pando.ConnectionClosedException("relay client closed"));
        Channel c = attempt;
        if (c != null && c.isOpen()) {
            if (c == current) {
                c.writeAndFlush(new CloseWebSocketFrame(1000, "bye"));
            }
            c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /** The connection after the upgrade: challenge, proof, packets. */
    private final class Connection extends ChannelInboundHandlerAdapter {
        private boolean authenticated;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof CloseWebSocketFrame close) {
                LOG.debug("relay {} closed the connection: {} {}", relay, close.statusCode(), close.reasonText());
                close.release();
                ctx.close();
                return;
            }
            if (!(msg instanceof BinaryWebSocketFrame frame)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            try {
                handle(ctx, RelayFrame.decode(frame.content()));
            } catch (ProtocolViolationException e) {
                LOG.debug("relay {} sent a bad message: {}", relay, e.getMessage());
                ctx.close();
            } finally {
                frame.release();
            }
        }

        private void handle(ChannelHandlerContext ctx, RelayFrame f) {
            if (f instanceof RelayFrame.Challenge c && !authenticated) {
                ctx.writeAndFlush(new BinaryWebSocketFrame(RelayFrame.auth(identity.publicKey(),
                        RelayAuth.prove(identity, authority(), c.nonce()))));
            } else if (f instanceof RelayFrame.AuthOk && !authenticated) {
                authenticated = true;
                synchronized (RelayClient.this) {
                    failures = 0;
                }
                connects.incrementAndGet();
                current = ctx.channel();
                LOG.debug("connected to relay {}", relay);
                events.emit(new RelayEvent.Connected(relay));
                firstConnection.complete(null);
            } else if (f instanceof RelayFrame.Packet p && p.type() == RelayFrame.RECV && authenticated) {
                receiver.received(p.peer(), p.payload());
            } else if (f instanceof RelayFrame.PeerGone g && authenticated) {
                receiver.peerGone(g.nodeId());
            } else {
                if (f instanceof RelayFrame.Packet p) {
                    p.payload().release();
                }
                LOG.debug("relay {} sent a message out of turn: {}", relay, f.getClass().getSimpleName());
                ctx.close();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            receiver.readComplete();
            ctx.fireChannelReadComplete();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent idle) {
                if (idle.state() == IdleState.READER_IDLE) {
                    LOG.debug("relay {} silent for too long; reconnecting", relay);
                    ctx.close();
                } else if (idle.state() == IdleState.WRITER_IDLE && authenticated) {
                    ctx.writeAndFlush(new PingWebSocketFrame());
                }
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("relay connection to {} failed", relay, cause);
            ctx.close();
        }
    }
}
