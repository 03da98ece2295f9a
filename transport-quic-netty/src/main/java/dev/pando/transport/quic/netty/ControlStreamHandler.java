package dev.pando.transport.quic.netty;

import dev.pando.ConnectionClosedException;
import dev.pando.transport.quic.core.StreamPreamble;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;

/**
 * The sending side of an OPEN_CONNECTION or CLOSE_CONNECTION stream (WIRE.md, section 4): sends
 * the preamble and its FIN, then completes with the receiver's one status byte.
 */
final class ControlStreamHandler extends ChannelInboundHandlerAdapter {
    private final StreamPreamble.Kind kind;
    private final String protocol;
    private final CompletableFuture<Integer> status;

    ControlStreamHandler(StreamPreamble.Kind kind, String protocol, CompletableFuture<Integer> status) {
        this.kind = kind;
        this.protocol = protocol;
        this.status = status;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        byte[] preamble = new StreamPreamble(kind, protocol).encode();
        ctx.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.wrappedBuffer(preamble), true));
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            ByteBuf in = (ByteBuf) msg;
            if (!status.isDone() && in.isReadable()) {
                status.complete((int) in.readUnsignedByte());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.read();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ReferenceCountUtil.release(evt);
        if (!status.isDone()) {
            status.completeExceptionally(new ConnectionClosedException("the remote closed the stream without answering " + kind));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        status.completeExceptionally(new ConnectionClosedException("stream closed before the remote answered " + kind));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        status.completeExceptionally(new ConnectionClosedException(kind + " stream failed: " + cause.getMessage(), cause));
        ctx.close();
    }
}
