package dev.pando.transport.relay;

import dev.pando.ConfigurationException;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A relay: clients connect over HTTP/1.1 upgraded to WebSocket ({@code GET /relay}), prove their
 * node id by signing a fresh challenge, and send opaque packets to other node ids; the relay
 * forwards each to the client with that id, or answers PEER_GONE. It reads node ids and sizes,
 * never payloads: the relay transport's traffic is QUIC, encrypted and authenticated end to end.
 * {@code GET /health} answers {@code ok}; {@code GET /metrics} (if enabled) the
 * {@link RelayMetrics} in Prometheus text.
 *
 * <p>Everything is bounded: connections ({@code maxClients}), message size, bytes queued per
 * receiver (a full queue drops that receiver's packets, so a slow receiver slows nobody else),
 * bytes per second per sender, time to authenticate, silence (keep-alive pings). A client that
 * connects again with the same node id replaces its older connection.
 *
 * <p>Threads: {@link #start()} binds and returns; connections are served by the server's Netty
 * event loops ("pando-relay-server-…"); {@link #close()} closes every connection and ends those
 * threads before it returns. {@link #metrics()} may be called from any thread.
 */
public final class RelayServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RelayServer.class);
    /** The path clients upgrade on. */
    static final String PATH = "/relay";
    /** WebSocket close codes (RFC 6455 7.4.2: 4000-4999 are private). */
    static final int CLOSE_AUTH_FAILED = 4001;
    static final int CLOSE_REPLACED = 4002;
    static final int CLOSE_AUTH_TIMEOUT = 4003;
    private static final int MAX_HTTP_REQUEST = 8192;

    private final RelayServerConfig config;
    private final PacketFilter filter;
    private final Map<PublicKey, Session> clients = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder connections = new LongAdder();
    private final LongAdder packets = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final Map<RelayMetrics.Drop, LongAdder> drops = new EnumMap<>(RelayMetrics.Drop.class);
    private final Map<RelayMetrics.Close, LongAdder> closes = new EnumMap<>(RelayMetrics.Close.class);

    private final Object lock = new Object();
    private boolean started;
    private boolean closed;
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel listener;
    private volatile URI url;

    private RelayServer(RelayServerConfig config, PacketFilter filter) {
        this.config = config;
        this.filter = filter;
        for (RelayMetrics.Drop d : RelayMetrics.Drop.values()) {
            drops.put(d, new LongAdder());
        }
        for (RelayMetrics.Close c : RelayMetrics.Close.values()) {
            closes.put(c, new LongAdder());
        }
    }

    /** A relay with this configuration; does no I/O ({@link #start()} binds). */
    public static RelayServer create(RelayServerConfig config) {
        return new RelayServer(config, PacketFilter.FORWARD);
    }

    /** For tests: a relay that hands every packet to {@code filter} instead of forwarding it. */
    static RelayServer create(RelayServerConfig config, PacketFilter filter) {
        return new RelayServer(config, filter);
    }

    /**
     * Binds the listening socket and serves.
     *
     * @throws ConfigurationException if the TLS files cannot be read or the address cannot be bound
     * @throws IllegalStateException  if already started or closed
     */
    public void start() {
        synchronized (lock) {
            if (started || closed) {
                throw new IllegalStateException("relay server was already " + (closed ? "closed" : "started"));
            }
            started = true;
            try {
                SslContext ssl = config.tls().map(RelayServer::sslContext).orElse(null);
                boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("pando-relay-server-accept", true), NioIoHandler.newFactory());
                workers = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("pando-relay-server-io", true),
                        NioIoHandler.newFactory());
                listener = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                                new WriteBufferWaterMark(config.queueBytes() / 2, config.queueBytes()))
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                initConnection(ch, ssl);
                            }
                        })
                        .bind(config.bind()).sync().channel();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                release();
                throw new ConfigurationException("interrupted while binding the relay to " + config.bind(), e);
            } catch (ConfigurationException e) {
                release();
                throw e;
            } catch (Exception e) {
                release();
                throw new ConfigurationException("cannot bind the relay to " + config.bind() + ": " + e.getMessage(), e);
            }
            url = urlOf((InetSocketAddress) listener.localAddress(), config.tls().isPresent());
        }
        LOG.info("relay listening at {}", url);
    }

    private static SslContext sslContext(RelayServerConfig.Tls tls) {
        try {
            return SslContextBuilder.forServer(tls.certificateChain().toFile(), tls.privateKey().toFile()).build();
        } catch (Exception e) {
            throw new ConfigurationException("cannot use TLS certificate " + tls.certificateChain() + " and key "
                    + tls.privateKey() + ": " + e.getMessage(), e);
        }
    }

    static URI urlOf(InetSocketAddress bound, boolean tls) {
        java.net.InetAddress ip = bound.getAddress();
        if (ip.isAnyLocalAddress()) {
            ip = dev.pando.transport.quic.core.DirectAddresses.advertised(bound).get(0).getAddress();
        }
        String host = ip instanceof Inet6Address ? "[" + ip.getHostAddress().replaceAll("%.*$", "") + "]" : ip.getHostAddress();
        return URI.create((tls ? "https" : "http") + "://" + host + ":" + bound.getPort() + "/");
    }

    /** The URL clients give as {@code relay_url} (and nodes put in their addresses); valid after {@link #start()}. */
    public URI url() {
        URI u = url;
        if (u == null) {
            throw new IllegalStateException("relay server is not started");
        }
        return u;
    }

    /** The bound TCP address; valid after {@link #start()}. */
    public InetSocketAddress boundAddress() {
        synchronized (lock) {
            if (listener == null) {
                throw new IllegalStateException("relay server is not started");
            }
            return (InetSocketAddress) listener.localAddress();
        }
    }

    /** The counters now. */
    public RelayMetrics metrics() {
        Map<RelayMetrics.Drop, Long> d = new EnumMap<>(RelayMetrics.Drop.class);
        drops.forEach((k, v) -> d.put(k, v.sum()));
        Map<RelayMetrics.Close, Long> c = new EnumMap<>(RelayMetrics.Close.class);
        closes.forEach((k, v) -> c.put(k, v.sum()));
        return new RelayMetrics(clients.size(), connections.sum(), packets.sum(), bytes.sum(), d, c);
    }

    /** Closes every connection and the listening socket; the server's threads have ended when it returns. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            release();
        }
        LOG.info("relay at {} closed", url);
    }

    private void release() {
        if (listener != null) {
            listener.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (EventLoopGroup g : new EventLoopGroup[] {boss, workers}) {
            if (g != null) {
                g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
            }
        }
        clients.clear();
    }

    // ---------------------------------------------------------------- per connection

    private void initConnection(SocketChannel ch, SslContext ssl) {
        connections.increment();
        if (open.incrementAndGet() > config.maxClients()) {
            open.decrementAndGet();
            count(RelayMetrics.Close.SERVER_FULL);
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> open.decrementAndGet());
        long keepAlive = config.keepAlive().toMillis();
        if (ssl != null) {
            ch.pipeline().addLast(ssl.newHandler(ch.alloc()));
        }
        ch.pipeline().addLast(
                new IdleStateHandler(3 * keepAlive, keepAlive, 0, TimeUnit.MILLISECONDS),
                new HttpServerCodec(4096, MAX_HTTP_REQUEST, MAX_HTTP_REQUEST),
                new HttpObjectAggregator(MAX_HTTP_REQUEST),
                new HttpGate(),
                new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                        .websocketPath(PATH)
                        .maxFramePayloadLength(config.maxFrameBytes())
                        .handshakeTimeoutMillis(config.authTimeout().toMillis())
                        .allowExtensions(false)
                        .dropPongFrames(true)
                        .build()),
                new Session());
    }

    private void count(RelayMetrics.Close reason) {
        closes.get(reason).increment();
    }

    private void count(RelayMetrics.Drop reason) {
        drops.get(reason).increment();
    }

    /** Answers /health and /metrics, refuses anything else but the upgrade on /relay. */
    private final class HttpGate extends SimpleChannelInboundHandler<FullHttpRequest> {
        HttpGate() {
            super(false);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            if (req.decoderResult().isFailure()) {
                req.release();
                count(RelayMetrics.Close.MALFORMED);
                respond(ctx, HttpResponseStatus.BAD_REQUEST, "bad request\n", false);
                return;
            }
            String path = req.uri();
            int q = path.indexOf('?');
            path = q < 0 ? path : path.substring(0, q);
            boolean get = req.method().equals(HttpMethod.GET);
            if (get && path.equals(PATH)) {
                ctx.fireChannelRead(req); // to the WebSocket handshake
                return;
            }
            req.release();
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (get && path.equals("/health")) {
                respond(ctx, HttpResponseStatus.OK, "ok\n", keepAlive);
            } else if (get && path.equals("/metrics") && config.metrics()) {
                respond(ctx, HttpResponseStatus.OK, metrics().toPrometheus(), keepAlive);
            } else {
                respond(ctx, HttpResponseStatus.NOT_FOUND, "not found\n", keepAlive);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLongFrameException) {
                count(RelayMetrics.Close.MALFORMED);
                respond(ctx, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request too large\n", false);
            } else {
                ctx.fireExceptionCaught(cause);
            }
        }

        private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String body, boolean keepAlive) {
            ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, status == HttpResponseStatus.OK && body.startsWith("#")
                    ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8");
            HttpUtil.setContentLength(res, content.readableBytes());
            HttpUtil.setKeepAlive(res, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(res);
            } else {
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** One client after the upgrade: challenge, proof, then packets. Runs on its channel's event loop. */
    private final class Session extends ChannelInboundHandlerAdapter {
        private ChannelHandlerContext ctx;
        private String host;
        private byte[] nonce;
        private PublicKey id;
        private ScheduledFuture<?> authTimer;
        // token bucket, event loop only
        private double tokens = config.burstBytes();
        private long refilledAt = System.nanoTime();
        /** Receivers written to in this read burst, flushed at its end (event loop only). */
        private final java.util.Set<Channel> unflushed = new java.util.HashSet<>();

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete hc) {
                host = hc.requestHeaders().get(HttpHeaderNames.HOST, "");
                nonce = RelayAuth.nonce();
                ctx.writeAndFlush(new BinaryWebSocketFrame(RelayFrame.challenge(nonce)));
                authTimer = ctx.executor().schedule(() -> {
                    if (id == null) {
                        count(RelayMetrics.Close.AUTH_TIMEOUT);
                        closeWith(CLOSE_AUTH_TIMEOUT, "no proof of node id in time");
                    }
                }, config.authTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } else if (evt == WebSocketServerProtocolHandler.ServerHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
                count(RelayMetrics.Close.AUTH_TIMEOUT);
                ctx.close();
            } else if (evt instanceof IdleStateEvent idle) {
                if (idle.state() == IdleState.READER_IDLE) {
                    count(RelayMetrics.Close.IDLE);
                    ctx.close();
                } else if (idle.state() == IdleState.WRITER_IDLE && nonce != null) {
                    ctx.writeAndFlush(new PingWebSocketFrame());
                }
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof BinaryWebSocketFrame frame)) {
                // a request the gate passed (path /relay) that was no valid upgrade, or a text frame
                io.netty.util.ReferenceCountUtil.release(msg);
                count(RelayMetrics.Close.MALFORMED);
                if (msg instanceof WebSocketFrame) {
                    closeWith(WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code(), "binary messages only");
                } else {
                    ctx.close();
                }
                return;
            }
            try {
                RelayFrame f;
                try {
                    f = RelayFrame.decode(frame.content());
                } catch (ProtocolViolationException e) {
                    count(RelayMetrics.Close.MALFORMED);
                    closeWith(WebSocketCloseStatus.PROTOCOL_ERROR.code(), e.getMessage());
                    return;
                }
                handle(f);
            } finally {
                frame.release();
            }
        }

        private void handle(RelayFrame f) {
            if (f instanceof RelayFrame.Auth auth && id == null && nonce != null) {
                authTimer.cancel(false);
                if (!RelayAuth.verify(auth, host, nonce)) {
                    count(RelayMetrics.Close.AUTH_FAILED);
                    closeWith(CLOSE_AUTH_FAILED, "proof of node id does not verify");
                    return;
                }
                id = auth.nodeId();
                nonce = new byte[0]; // spent: a second AUTH is out of turn
                Session old = clients.put(id, this);
                if (old != null && old != this) {
                    count(RelayMetrics.Close.REPLACED);
                    old.ctx.executor().execute(() -> old.closeWith(CLOSE_REPLACED, "replaced by a newer connection of the same node"));
                }
                ctx.writeAndFlush(new BinaryWebSocketFrame(RelayFrame.authOk()));
            } else if (f instanceof RelayFrame.Packet p && p.type() == RelayFrame.SEND && id != null) {
                ByteBuf payload = p.payload();
                if (!take(payload.readableBytes())) {
                    payload.release();
                    count(RelayMetrics.Drop.RATE_LIMITED);
                    return;
                }
                filter.filter(id, p.peer(), payload, this::deliver);
            } else {
                if (f instanceof RelayFrame.Packet p) {
                    p.payload().release();
                }
                count(RelayMetrics.Close.MALFORMED);
                closeWith(WebSocketCloseStatus.PROTOCOL_ERROR.code(), "relay message out of turn");
            }
        }

        /** Forwards one packet from this client; takes ownership of {@code payload}. */
        private void deliver(PublicKey source, PublicKey destination, ByteBuf payload) {
            Session to = clients.get(destination);
            if (to == null) {
                payload.release();
                count(RelayMetrics.Drop.PEER_GONE);
                if (ctx.channel().isWritable()) {
                    ctx.writeAndFlush(new BinaryWebSocketFrame(RelayFrame.peerGone(destination)));
                }
                return;
            }
            Channel out = to.ctx.channel();
            if (!out.isWritable()) {
                payload.release();
                count(RelayMetrics.Drop.RECEIVER_SLOW);
                return;
            }
            int size = payload.readableBytes();
            out.write(new BinaryWebSocketFrame(RelayFrame.packet(out.alloc(), RelayFrame.RECV, source, payload)), out.voidPromise());
            unflushed.add(out);
            packets.increment();
            bytes.add(size);
        }

        private boolean take(int size) {
            long now = System.nanoTime();
            tokens = Math.min(config.burstBytes(), tokens + (now - refilledAt) * 1e-9 * config.rateBytesPerSecond());
            refilledAt = now;
            if (tokens < size) {
                return false;
            }
            tokens -= size;
            return true;
        }

        void closeWith(int code, String reason) {
            Channel ch = ctx.channel();
            if (ch.isActive()) {
                ctx.writeAndFlush(new CloseWebSocketFrame(code, reason.length() > 100 ? reason.substring(0, 100) : reason))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        }

        /** The end of a read burst: one flush per receiver written to (one wake-up of its thread). */
        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!unflushed.isEmpty()) {
                for (Channel out : unflushed) {
                    out.flush();
                }
                unflushed.clear();
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (authTimer != null) {
                authTimer.cancel(false);
            }
            if (id != null) {
                clients.remove(id, this);
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof CorruptedWebSocketFrameException c && c.closeStatus() != null
                    && c.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
                count(RelayMetrics.Close.OVERSIZED);
            } else if (cause instanceof CorruptedWebSocketFrameException || cause instanceof io.netty.handler.codec.DecoderException
                    || cause instanceof io.netty.handler.codec.http.websocketx.WebSocketHandshakeException) {
                count(RelayMetrics.Close.MALFORMED);
            } else {
                LOG.debug("relay connection {} failed", ctx.channel().remoteAddress(), cause);
            }
            ctx.close();
        }
    }
}
