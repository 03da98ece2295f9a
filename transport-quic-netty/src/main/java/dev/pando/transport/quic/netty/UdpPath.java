package dev.pando.transport.quic.netty;

import dev.pando.ConfigurationException;
import dev.pando.ConnectionClosedException;
import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import dev.pando.transport.quic.core.DirectAddresses;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * The UDP path of "quic-netty": one socket, bound to the {@code bind} option, for the connections
 * the node accepts and those it dials, so a peer sees a node at one address whichever side dialed
 * (what NAT traversal needs: the mapping a NAT made for the node's outgoing packets is the one its
 * peers reach it at). Netty's two QUIC codecs share the socket's pipeline behind
 * {@link DialedConnectionIds}, which hands each datagram to one of them.
 */
final class UdpPath implements DatagramPath {
    private final InetSocketAddress bind;
    private volatile Channel server;
    private volatile DialedConnectionIds demux;

    UdpPath(InetSocketAddress bind) {
        this.bind = bind;
    }

    @Override
    public Channels open(EventLoopGroup group, ChannelHandler serverCodec, ChannelHandler clientCodec) {
        try {
            DialedConnectionIds d = new DialedConnectionIds(serverCodec);
            demux = d;
            server = udp(group).handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(d, serverCodec, clientCodec);
                }
            }).bind(bind).sync().channel();
            return new Channels(server, server);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionClosedException("interrupted while binding " + Dialer.text(bind), e);
        } catch (Exception e) {
            throw new ConfigurationException("cannot bind UDP " + Dialer.text(bind) + ": " + e.getMessage(), e);
        }
    }

    /**
     * Socket buffers asked of the kernel (Linux caps them at {@code net.core.rmem_max} /
     * {@code wmem_max}, silently). The default receive buffer (208 KiB) overflows when bursts of
     * many streams meet a busy CPU, and each datagram lost there costs a retransmission; worse,
     * quiche loses a stream's end of stream for good when the packet with a FIN that travels alone
     * is lost after the stream's data was acknowledged (see the module README).
     */
    static final int SOCKET_BUFFER = 4 << 20;

    private static Bootstrap udp(EventLoopGroup group) {
        return new Bootstrap().group(group).channel(NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
                .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER);
    }

    @Override
    public NodeAddress localAddress(PublicKey self) {
        InetSocketAddress bound = (InetSocketAddress) server.localAddress();
        return NodeAddress.direct(self, DirectAddresses.advertised(bound).toArray(new InetSocketAddress[0]));
    }

    /**
     * True if some direct address of {@code remote} is of a family (and scope) the socket bound to
     * the {@code bind} option can send to; relay URLs are not this path's.
     */
    @Override
    public boolean supports(NodeAddress remote) {
        return remote.directAddresses().stream().anyMatch(a -> DirectAddresses.unreachableFrom(bind, a) == null);
    }

    @Override
    public String unsupportedReason(NodeAddress remote) {
        if (remote.directAddresses().isEmpty()) {
            return "the quic-netty transport dials direct addresses only, and node " + remote.nodeId().hex() + " has none"
                    + (remote.relayUrl().isPresent() ? " (only a relay URL)" : "");
        }
        return "no direct address of node " + remote.nodeId().hex() + " can be dialed from " + Dialer.text(bind) + ": "
                + DirectAddresses.unreachableFrom(bind, remote.directAddresses().get(0))
                + (remote.directAddresses().size() > 1 ? " (and likewise the other " + (remote.directAddresses().size() - 1) + ")" : "");
    }

    @Override
    public List<InetSocketAddress> dialTargets(NodeAddress remote) {
        return DirectAddresses.dialOrder(remote.directAddresses());
    }

    @Override
    public Optional<String> cannotReach(InetSocketAddress target) {
        Channel s = server;
        InetSocketAddress local = s == null ? bind : (InetSocketAddress) s.localAddress();
        return Optional.ofNullable(DirectAddresses.unreachableFrom(local, target));
    }

    @Override
    public Optional<InetSocketAddress> dialLocalAddress() {
        return Optional.empty();
    }

    @Override
    public Optional<byte[]> reserveDialId() {
        DialedConnectionIds d = demux;
        if (d == null) {
            throw new IllegalStateException("the UDP path is not open");
        }
        return Optional.of(d.reserve());
    }

    @Override
    public void releaseDialId(byte[] id) {
        DialedConnectionIds d = demux;
        if (d != null) {
            d.release(id);
        }
    }

    /** The demultiplexer, null before {@link #open} (for tests). */
    DialedConnectionIds demux() {
        return demux;
    }

    @Override
    public void close() {
        // the transport closes both channels; nothing else is held
    }
}
