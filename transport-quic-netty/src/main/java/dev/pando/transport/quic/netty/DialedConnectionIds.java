package dev.pando.transport.quic.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets one UDP socket carry both roles of a node: the connections it accepts and the ones it
 * dials. A Netty QUIC codec is either a server or a client and takes every packet of its channel,
 * so both codecs sit in the socket's pipeline behind this handler, the server codec first, and
 * this handler sends each datagram to one of them by its destination connection id: the ids this
 * node chose for the connections it dialed (QUIC makes the peer put them in every packet it sends
 * back, RFC 9000 §5.1) go to the client codec, everything else to the server codec.
 *
 * <p>Netty gives a dialing connection no further ids of its own (its client connections have no
 * id generator), so the one id chosen at dial time is the only one the peer uses for it. A short
 * header does not carry the id's length: every id this node issues, in either role, has
 * {@link #ID_LENGTH} bytes (the codecs' {@code localConnectionIdLength}).
 *
 * <p>Threads: {@link #reserve} and {@link #release} from any thread; {@link #channelRead} on the
 * socket's event loop.
 */
final class DialedConnectionIds extends ChannelInboundHandlerAdapter {
    /** The length of every local connection id (Netty's default, QUIC's maximum). */
    static final int ID_LENGTH = 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Set<ByteBuffer> dialed = ConcurrentHashMap.newKeySet();
    private final ChannelHandler serverCodec;
    private volatile ChannelHandlerContext serverCodecContext;
    private long toClient;
    private long toServer;

    /** @param serverCodec the server codec, which must directly follow this handler, the client codec after it */
    DialedConnectionIds(ChannelHandler serverCodec) {
        this.serverCodec = Objects.requireNonNull(serverCodec, "serverCodec");
    }

    /** A fresh connection id for a connection about to be dialed; packets for it go to the client codec until {@link #release}. */
    byte[] reserve() {
        while (true) {
            byte[] id = new byte[ID_LENGTH];
            RANDOM.nextBytes(id);
            if (dialed.add(ByteBuffer.wrap(id.clone()))) {
                return id;
            }
        }
    }

    /** The dialed connection with this id is gone. Idempotent. */
    void release(byte[] id) {
        dialed.remove(ByteBuffer.wrap(id));
    }

    /** Ids reserved and not released (for tests). */
    int reserved() {
        return dialed.size();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket p && !dialed.isEmpty() && dialed.contains(destinationId(p.content()))) {
            toClient++;
            // fired from the server codec's context, the client codec behind it gets the packet
            serverCodecContext(ctx).fireChannelRead(msg);
            return;
        }
        toServer++;
        ctx.fireChannelRead(msg);
    }

    /**
     * Both codecs learn that a read burst ended: that is when they process what they read and
     * write their answers. The server codec does not pass the event on, so it is fired to the
     * client codec from the server codec's context as well.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
        serverCodecContext(ctx).fireChannelReadComplete();
    }

    private ChannelHandlerContext serverCodecContext(ChannelHandlerContext ctx) {
        ChannelHandlerContext c = serverCodecContext;
        if (c == null) {
            c = ctx.pipeline().context(serverCodec);
            if (c == null) {
                throw new IllegalStateException("the server codec is not in the pipeline");
            }
            serverCodecContext = c;
        }
        return c;
    }

    /**
     * The destination connection id of the first QUIC packet in {@code b} (a long header states
     * its length, a short header's id has {@link #ID_LENGTH} bytes), or an empty buffer if the
     * datagram is too short to hold one. Reads without moving the reader index.
     */
    static ByteBuffer destinationId(ByteBuf b) {
        int at = b.readerIndex();
        int readable = b.readableBytes();
        if (readable < 1) {
            return ByteBuffer.allocate(0);
        }
        if ((b.getByte(at) & 0x80) != 0) {
            // long header: flags, version (4 bytes), id length, id
            if (readable < 6) {
                return ByteBuffer.allocate(0);
            }
            int length = b.getUnsignedByte(at + 5);
            return readable < 6 + length ? ByteBuffer.allocate(0) : b.nioBuffer(at + 6, length);
        }
        return readable < 1 + ID_LENGTH ? ByteBuffer.allocate(0) : b.nioBuffer(at + 1, ID_LENGTH);
    }

    @Override
    public String toString() {
        return "DialedConnectionIds[" + dialed.size() + " dialed, " + toClient + " packets to the client codec, "
                + toServer + " to the server codec]";
    }
}
