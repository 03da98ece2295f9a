package dev.pando.transport.relay;

import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.Signature;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A relay client for tests that speaks the relay messages by hand: it can send a proof it did not
 * compute, stop reading, or send anything at all. Received messages land in {@link #frames}.
 */
final class RawRelayClient implements AutoCloseable {
    final PrivateKey key;
    final Channel channel;
    final BlockingQueue<ByteBuf> frames = new LinkedBlockingQueue<>();
    final AtomicLong packetsReceived = new AtomicLong();
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    final String host;
    /** Whether received RECV packets are only counted (not queued). */
    volatile boolean countOnly;

    RawRelayClient(EventLoopGroup group, URI relay, PrivateKey key, int maxFrame) throws InterruptedException {
        this.key = key;
        this.host = relay.getHost() + ":" + relay.getPort();
        URI ws = URI.create("ws://" + host + RelayServer.PATH);
        channel = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(8192),
                        new WebSocketClientProtocolHandler(WebSocketClientProtocolConfig.newBuilder().webSocketUri(ws)
                                .customHeaders(new DefaultHttpHeaders().set(HttpHeaderNames.HOST, host))
                                .maxFramePayloadLength(maxFrame).handleCloseFrames(false).build()),
                        new SimpleChannelInboundHandler<WebSocketFrame>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame f) {
                                if (f instanceof CloseWebSocketFrame c) {
                                    closeCode.complete(c.statusCode());
                                } else if (f instanceof BinaryWebSocketFrame) {
                                    if (countOnly && f.content().getByte(0) == RelayFrame.RECV) {
                                        packetsReceived.incrementAndGet();
                                    } else {
                                        frames.add(f.content().retain());
                                    }
                                }
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                closeCode.complete(-1);
                            }
                        });
            }
        }).connect(relay.getHost(), relay.getPort()).sync().channel();
    }

    RawRelayClient(EventLoopGroup group, URI relay) throws InterruptedException {
        this(group, relay, PrivateKey.generate(), 65536);
    }

    PublicKey id() {
        return key.publicKey();
    }

    ByteBuf next() throws InterruptedException {
        ByteBuf b = frames.poll(30, TimeUnit.SECONDS);
        if (b == null) {
            throw new AssertionError("no relay message within 30 s");
        }
        return b;
    }

    /** The nonce of the challenge the relay sends first. */
    byte[] challenge() throws InterruptedException {
        ByteBuf b = next();
        try {
            RelayFrame f = RelayFrame.decode(b);
            if (!(f instanceof RelayFrame.Challenge c)) {
                throw new AssertionError("expected a challenge, got " + f);
            }
            return c.nonce();
        } finally {
            b.release();
        }
    }

    void send(ByteBuf message) {
        channel.writeAndFlush(new BinaryWebSocketFrame(message));
    }

    void sendAuth(PublicKey claimed, Signature signature) {
        send(RelayFrame.auth(claimed, signature));
    }

    /** Proves the id honestly and waits for AUTH_OK. */
    RawRelayClient authenticate() throws InterruptedException {
        byte[] nonce = challenge();
        sendAuth(id(), RelayAuth.prove(key, host, nonce));
        ByteBuf ok = next();
        try {
            if (!(RelayFrame.decode(ok) instanceof RelayFrame.AuthOk)) {
                throw new AssertionError("expected AUTH_OK");
            }
        } finally {
            ok.release();
        }
        return this;
    }

    void sendPacket(PublicKey to, byte[] payload) {
        channel.writeAndFlush(new BinaryWebSocketFrame(RelayFrame.packet(channel.alloc(), RelayFrame.SEND, to, Unpooled.wrappedBuffer(payload))));
    }

    int awaitClose(Duration within) throws Exception {
        return closeCode.get(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        ByteBuf b;
        while ((b = frames.poll()) != null) {
            b.release();
        }
    }
}
