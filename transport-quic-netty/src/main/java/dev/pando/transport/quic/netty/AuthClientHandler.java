package dev.pando.transport.quic.netty;

import dev.pando.ConnectionClosedException;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.spi.ClientAuthentication;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.QuicStreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;

/**
 * The dialing side of the auth stream (wire scheme step 3), non-blocking: hello, then the proof
 * over the server's nonce, then the status byte.
 */
final class AuthClientHandler extends ChannelInboundHandlerAdapter {
    private final PrivateKey identity;
    private final byte[] serverCertificateDer;
    private final PublicKey serverId;
    private final CompletableFuture<Void> result;
    private final ByteBuf received = Unpooled.buffer(ClientAuthentication.NONCE_LENGTH + 1);
    private boolean proofSent;

    AuthClientHandler(PrivateKey identity, byte[] serverCertificateDer, PublicKey serverId, CompletableFuture<Void> result) {
        this.identity = identity;
        this.serverCertificateDer = serverCertificateDer;
        this.serverId = serverId;
        this.result = result;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(ClientAuthentication.hello(identity.publicKey())));
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            ByteBuf in = (ByteBuf) msg;
            if (result.isDone()) {
                return;
            }
            int want = (proofSent ? ClientAuthentication.NONCE_LENGTH + 1 : ClientAuthentication.NONCE_LENGTH) - received.readableBytes();
            if (in.readableBytes() > want && proofSent) {
                fail(ctx, new ProtocolViolationException("node " + serverId.hex() + " sent more than the auth exchange"));
                return;
            }
            received.writeBytes(in, Math.min(want, in.readableBytes()));
            if (!proofSent && received.readableBytes() == ClientAuthentication.NONCE_LENGTH) {
                byte[] nonce = new byte[ClientAuthentication.NONCE_LENGTH];
                received.getBytes(0, nonce);
                proofSent = true;
                ctx.writeAndFlush(Unpooled.wrappedBuffer(ClientAuthentication.prove(identity, serverCertificateDer, nonce, serverId)));
                if (in.isReadable()) {
                    // the status cannot come before the server saw our proof
                    fail(ctx, new ProtocolViolationException("node " + serverId.hex() + " answered before our proof"));
                }
            } else if (proofSent && received.readableBytes() == ClientAuthentication.NONCE_LENGTH + 1) {
                int status = received.getUnsignedByte(ClientAuthentication.NONCE_LENGTH);
                if (status == ClientAuthentication.ACCEPTED) {
                    ctx.writeAndFlush(QuicStreamFrame.EMPTY_FIN);
                    result.complete(null);
                } else if (status == ClientAuthentication.REJECTED) {
                    fail(ctx, new ProtocolViolationException("node " + serverId.hex() + " rejected our proof of identity"));
                } else {
                    fail(ctx, new ProtocolViolationException("unknown auth status " + status + " from node " + serverId.hex()));
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
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
        received.release();
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
