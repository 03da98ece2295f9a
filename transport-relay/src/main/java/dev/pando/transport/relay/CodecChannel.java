package dev.pando.transport.relay;

import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Consumer;

/**
 * The channel a QUIC codec of the relay path sits on: no socket of its own. It is registered on
 * the event loop of the relay connection, so the packets the codec writes are handed to the
 * relay connection's pipeline, and the packets the relay delivers are fired into the codec, on
 * that one thread, without a queue or a thread handoff in between.
 */
final class CodecChannel extends AbstractChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false);

    private final ChannelConfig config = new DefaultChannelConfig(this);
    private final InetSocketAddress self;
    /** Takes each packet the codec writes (owns it); runs on this channel's event loop. */
    private final Consumer<DatagramPacket> out;
    /** Called after the packets of one write burst were handed on. */
    private final Runnable flushed;
    private volatile boolean open = true;
    private boolean readPending;

    CodecChannel(InetSocketAddress self, Consumer<DatagramPacket> out, Runnable flushed) {
        super(null);
        this.self = self;
        this.out = out;
        this.flushed = flushed;
    }

    /** Hands a received packet to the codec; on the event loop. */
    void deliver(DatagramPacket packet) {
        if (!open) {
            packet.release();
            return;
        }
        readPending = true;
        pipeline().fireChannelRead(packet);
    }

    /** Ends a burst of {@link #deliver}s (the codec then flushes what it has to send). */
    void readComplete() {
        if (readPending) {
            readPending = false;
            pipeline().fireChannelReadComplete();
        }
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        boolean any = false;
        for (;;) {
            Object msg = in.current();
            if (msg == null) {
                break;
            }
            if (msg instanceof DatagramPacket p) {
                out.accept(p.retain());
                any = true;
            }
            in.remove();
        }
        if (any) {
            flushed.run();
        }
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof DatagramPacket) {
            return msg;
        }
        ReferenceCountUtil.release(msg);
        throw new UnsupportedOperationException("a relay codec channel writes datagram packets only, not " + msg.getClass().getSimpleName());
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new AbstractUnsafe() {
            @Override
            public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
                promise.setFailure(new UnsupportedOperationException("a relay codec channel does not connect"));
            }
        };
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return true; // no I/O of its own: any event loop can run it
    }

    @Override
    protected SocketAddress localAddress0() {
        return self;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return null;
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        // bound to the node's synthetic address from the start
    }

    @Override
    protected void doDisconnect() {
        open = false;
    }

    @Override
    protected void doClose() {
        open = false;
    }

    @Override
    protected void doBeginRead() {
        // packets are pushed by the relay connection
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }
}
