package dev.pando.transport.quic.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicStreamLimitChangedEvent;
import io.netty.util.ReferenceCountUtil;

/** Connection-level events of one {@link QuicLink}. */
final class LinkHandler extends ChannelInboundHandlerAdapter {
    private final QuicNettyTransport transport;
    private final QuicLink link;

    LinkHandler(QuicNettyTransport transport, QuicLink link) {
        this.transport = transport;
        this.link = link;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        link.channel = (QuicChannel) ctx.channel();
        if (link.accepted) {
            transport.acceptedLinkActive(link);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf) {
            // QUIC datagrams carry only keep-alives: drop them
            ReferenceCountUtil.release(msg);
        } else {
            // new streams travel through the connection's pipeline to Netty's stream acceptor
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof QuicStreamLimitChangedEvent) {
            transport.streamCreditChanged(link);
        } else if (evt instanceof QuicConnectionCloseEvent close) {
            link.closeEvent = close;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        transport.linkClosed(link);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        transport.linkFailed(link, cause);
    }
}
