package dev.pando.transport.quic.netty;

import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.spi.ProtocolNames;
import dev.pando.transport.quic.core.ClientAuthExchange;
import dev.pando.transport.quic.core.CloseCode;
import dev.pando.transport.quic.core.StreamPreamble;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.Optional;

/**
 * First handler of every stream the remote opens: on an accepted connection that is not yet
 * authenticated, the server side of the auth stream (stream 0 only); afterwards the stream
 * preamble, then hand-over to the protocol's connection. Reads at most what the current step
 * needs, so a peer cannot make it buffer more than a preamble.
 */
final class InboundStreamHandler extends ChannelInboundHandlerAdapter {
    private enum Mode { AUTH, PREAMBLE, WAITING_FOR_AUTH, DRAIN }

    private static final int MAX_PREAMBLE = 2 + ProtocolNames.MAX_LENGTH;

    private final QuicNettyTransport transport;
    private ByteBuf received;
    private Mode mode;
    private QuicLink link;
    private ClientAuthExchange auth;

    InboundStreamHandler(QuicNettyTransport transport) {
        this.transport = transport;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
        link = stream.parent().attr(QuicLink.KEY).get();
        if (link == null) {
            stream.shutdown(QuicNettyStream.ABORTED).addListener(f -> stream.close());
            return;
        }
        if (link.accepted && !link.isAuthenticated()) {
            // WIRE.md section 3: the first client stream (id 0) is the auth stream; nothing else before it verified
            if (stream.streamId() == 0 && !link.authStreamSeen) {
                link.authStreamSeen = true;
                mode = Mode.AUTH;
                auth = ClientAuthExchange.server(transport.certificate());
            } else {
                transport.count("streams_before_auth");
                reject(stream);
                return;
            }
        } else {
            mode = Mode.PREAMBLE;
        }
        received = ctx.alloc().heapBuffer(64, MAX_PREAMBLE);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            ByteBuf in = msg instanceof QuicStreamFrame f ? f.content() : (ByteBuf) msg;
            if (mode == Mode.DRAIN || mode == null) {
                return;
            }
            if (mode == Mode.AUTH) {
                // the shared state machine buffers at most one message and refuses excess bytes
                authStep(ctx, auth.onBytes(in.nioBuffer()));
                return;
            }
            // the preamble and, for a STREAM, the first application bytes: keep those (bounded by
            // one read, as reading pauses until the preamble is handled)
            if (received.writableBytes() < in.readableBytes()) {
                ByteBuf bigger = ctx.alloc().heapBuffer(received.readableBytes() + in.readableBytes());
                bigger.writeBytes(received);
                received.release();
                received = bigger;
            }
            received.writeBytes(in);
            process(ctx);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void process(ChannelHandlerContext ctx) {
        QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
        if (mode == Mode.PREAMBLE) {
            Optional<StreamPreamble> preamble;
            try {
                preamble = StreamPreamble.tryDecode(received.nioBuffer());
            } catch (ProtocolViolationException e) {
                transport.count("malformed_preamble");
                reject(stream);
                mode = Mode.DRAIN;
                return;
            }
            if (preamble.isEmpty()) {
                return;
            }
            received.skipBytes(preamble.get().encode().length);
            if (!link.isAuthenticated()) {
                // a dialer may see the acceptor's first stream before its own auth status: wait for it
                mode = Mode.WAITING_FOR_AUTH;
                StreamPreamble p = preamble.get();
                link.authenticated.whenComplete((l, e) -> stream.eventLoop().execute(() -> {
                    if (e != null) {
                        reject(stream);
                    } else {
                        dispatch(ctx, stream, p);
                    }
                }));
                return;
            }
            dispatch(ctx, stream, preamble.get());
        }
    }

    /** Carries out a step of the server side of the identity proof (WIRE.md, "Identity proof"). */
    private void authStep(ChannelHandlerContext ctx, ClientAuthExchange.Step step) {
        if (step instanceof ClientAuthExchange.Send send) {
            if (!send.isEmpty()) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(send.bytes()));
            }
            return;
        }
        mode = Mode.DRAIN;
        if (step instanceof ClientAuthExchange.Failed failed) {
            transport.count(switch (failed.failure()) {
                case MALFORMED -> "malformed_auth";
                case REJECTED -> "failed_auth";
                case EXCESS_BYTES -> "protocol_violations";
            });
            if (failed.bytes().length > 0) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(failed.bytes()))
                        .addListener(f -> transport.closeLink(link, failed.closeCode(), failed.error().getMessage()));
            } else {
                transport.closeLink(link, failed.closeCode(), failed.error().getMessage());
            }
            return;
        }
        PublicKey client = ((ClientAuthExchange.Proven) step).remote();
        String refused = transport.registerLink(link, client);
        if (refused != null) {
            transport.closeLink(link, CloseCode.LIMIT, refused);
            return;
        }
        ctx.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.wrappedBuffer(ClientAuthExchange.acceptedStatus()), true));
    }

    private void dispatch(ChannelHandlerContext ctx, QuicStreamChannel stream, StreamPreamble preamble) {
        if (preamble.kind() == StreamPreamble.Kind.OPEN_CONNECTION) {
            mode = Mode.DRAIN;
            boolean accepted = transport.openConnectionRequested(link, preamble.protocol());
            ctx.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.wrappedBuffer(new byte[] {
                (byte) (accepted ? StreamPreamble.ACCEPTED : StreamPreamble.UNKNOWN_PROTOCOL)}), true));
            return;
        }
        if (preamble.kind() == StreamPreamble.Kind.CLOSE_CONNECTION) {
            mode = Mode.DRAIN;
            transport.closeRequested(link, preamble.protocol());
            ctx.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.wrappedBuffer(new byte[] {(byte) StreamPreamble.CLOSED}), true));
            return;
        }
        mode = Mode.DRAIN;
        ByteBuf leftover = received;
        received = null;
        try {
            transport.incomingStream(link, preamble.protocol(), stream, this, leftover);
        } finally {
            leftover.release();
        }
    }

    private static void reject(QuicStreamChannel stream) {
        stream.shutdown(QuicNettyStream.ABORTED).addListener(f -> stream.close());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (mode == Mode.AUTH || mode == Mode.PREAMBLE || mode == Mode.DRAIN) {
            ctx.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent && mode != Mode.DRAIN && mode != Mode.WAITING_FOR_AUTH) {
            // the remote ended the stream before saying what it is for
            transport.count("truncated_streams");
            mode = Mode.DRAIN;
            ctx.close();
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (received != null) {
            received.release();
            received = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        transport.count("stream_errors");
        ctx.close();
    }
}
