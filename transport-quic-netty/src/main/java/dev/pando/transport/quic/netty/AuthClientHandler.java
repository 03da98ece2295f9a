package dev.pando.transport.quic.netty;

import dev.pando.ConnectionClosedException;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.transport.quic.core.ClientAuthExchange;
import dev.pando.transport.quic.core.ClientAuthExchange.Failed;
import dev.pando.transport.quic.core.ClientAuthExchange.Proven;
import dev.pando.transport.quic.core.ClientAuthExchange.Send;
import dev.pando.transport.quic.core.ClientAuthExchange.Step;
import dev.pando.transport.quic.core.CloseCode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;

/**
 * The dialing side of the auth stream (WIRE.md, "Identity proof"), on the event loop: feeds what
 * it reads to the shared {@link ClientAuthExchange} and carries out its steps.
 */
final class AuthClientHandler extends ChannelInboundHandlerAdapter {
    private final ClientAuthExchange exchange;
    private final PublicKey serverId;
    private final CompletableFuture<Void> result;
    /** The close code the exchange asked for when it failed; read after {@code result} completed. */
    private volatile CloseCode failureCode = CloseCode.AUTH_FAILED;

    AuthClientHandler(PrivateKey identity, byte[] serverCertificateDer, PublicKey serverId, CompletableFuture<Void> result) {
        this.exchange = ClientAuthExchange.client(identity, serverCertificateDer, serverId);
        this.serverId = serverId;
        this.result = result;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        send(ctx, exchange.start());
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            ByteBuf in = (ByteBuf) msg;
            if (result.isDone() || exchange.isDone() || !in.isReadable()) {
                return;
            }
            Step step = exchange.onBytes(in.nioBuffer());
            if (step instanceof Send send) {
                send(ctx, send);
            } else if (step instanceof Proven) {
                result.complete(null);
            } else if (step instanceof Failed failed) {
                failureCode = failed.closeCode();
                fail(ctx, failed.error());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private static void send(ChannelHandlerContext ctx, Send send) {
        if (!send.isEmpty()) {
            // the proof goes out with FIN: the client's side of the auth stream ends with it
            ctx.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.wrappedBuffer(send.bytes()), send.endOfOutput()));
        }
    }

    /** How to close the connection after a failed exchange (WIRE.md, section 3). */
    CloseCode failureCode() {
        return failureCode;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // keep reading: after success this drains the server's FIN so the stream closes
        ctx.read();
    }

    private void fail(ChannelHandlerContext ctx, RuntimeException e) {
        result.completeExceptionally(e);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        result.completeExceptionally(new ConnectionClosedException("auth stream to node " + serverId.hex() + " closed before it finished"));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ReferenceCountUtil.release(evt);
        if (evt instanceof ChannelInputShutdownEvent && !result.isDone()) {
            fail(ctx, new ConnectionClosedException("node " + serverId.hex() + " ended the auth stream before its status"));
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        fail(ctx, new ConnectionClosedException("auth stream to node " + serverId.hex() + " failed: " + cause.getMessage(), cause));
    }
}
