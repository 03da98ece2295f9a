package dev.pando.transport.quic.netty;

import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * Where the QUIC packets of a quic-netty transport go: the node's UDP socket ({@link UdpPath}, the
 * "quic-netty" provider), or a tunnel such as a relay connection. The transport builds its two
 * QUIC codecs (one accepts connections, one dials them: a Netty QUIC codec has one role) and the
 * path gives each a channel that reads and writes {@link io.netty.channel.socket.DatagramPacket}s
 * with resolved sender and recipient addresses. A path that is not UDP maps each remote node to
 * one stable synthetic address (the codec routes outgoing packets by recipient).
 *
 * <p>Threads: {@link #open} is called once, from {@code Transport.start()}; {@link #close} once,
 * from {@code Transport.close()} after the codecs' channels are closed; the other methods from
 * any thread, also before {@code open}.
 */
public interface DatagramPath {

    /** The channels the codecs run on; the same channel for both if the path can tell the roles apart. */
    record Channels(Channel server, Channel client) {
    }

    /**
     * Creates the channels and puts {@code serverCodec} and {@code clientCodec} in them. The
     * transport's {@code group} may be used for network I/O.
     *
     * @throws dev.pando.ConfigurationException if the path cannot be set up (e.g. a port in use)
     */
    Channels open(EventLoopGroup group, ChannelHandler serverCodec, ChannelHandler clientCodec);

    /** The address this node is reached at through this path; valid after {@link #open}. */
    NodeAddress localAddress(PublicKey self);

    /** Whether an address has a part this path can reach (see {@code Transport.supports}). */
    boolean supports(NodeAddress remote);

    /** Why {@link #supports} is false for {@code remote}, in one sentence. */
    String unsupportedReason(NodeAddress remote);

    /** The datagram addresses to try for {@code remote}, in dial order (empty: none). */
    List<InetSocketAddress> dialTargets(NodeAddress remote);

    /** Why {@code target} cannot be reached from this path's channel, or empty if it can be tried. */
    Optional<String> cannotReach(InetSocketAddress target);

    /**
     * The local address a dialing QUIC channel declares, for a client channel whose own address
     * is not an {@link InetSocketAddress} (the codec needs one); empty for a UDP socket.
     */
    Optional<InetSocketAddress> dialLocalAddress();

    /**
     * Where the path reports that a target cannot be reached now (a relay that has no such node),
     * with a sentence saying why: the transport fails dials to it at once with a
     * {@link dev.pando.ConnectionClosedException} instead of waiting for the handshake timeout.
     * Called once, before {@link #open}; the listener may be called from any thread. A path that
     * cannot tell ignores it.
     */
    default void onUnreachable(java.util.function.BiConsumer<InetSocketAddress, String> listener) {
    }

    /**
     * For a path that runs both codecs on one channel ({@link Channels} naming the same channel
     * twice): a local connection id for a connection about to be dialed, which the path routes
     * packets to the client codec by until {@link #releaseDialId}. Empty: the dialing codec picks
     * its ids and has its channel to itself. Called from any thread.
     */
    default Optional<byte[]> reserveDialId() {
        return Optional.empty();
    }

    /** The dialed connection that {@code id} was reserved for has closed or never came up. Idempotent. */
    default void releaseDialId(byte[] id) {
    }

    /**
     * The largest QUIC packet this path carries whole, in bytes, if it is not bound by a network's
     * MTU (a relay carries packets as messages); empty: QUIC's 1,200 bytes, safe on any network.
     */
    default java.util.OptionalInt maxPacketSize() {
        return java.util.OptionalInt.empty();
    }

    /**
     * Releases what {@link #open} acquired beyond the two channels (which the transport closes
     * first). Idempotent; also called if {@link #open} failed.
     */
    void close();
}
