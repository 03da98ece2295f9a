package dev.pando.transport.relay;

import dev.pando.ConfigurationException;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.spi.EventSink;
import dev.pando.PublicKey;
import dev.pando.transport.quic.netty.DatagramPath;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay as a {@link DatagramPath}: the quic-netty transport's two QUIC codecs sit on
 * {@link CodecChannel}s registered on the event loop of the relay connection, so a packet goes
 * from a codec into the relay connection's pipeline, and from there into a codec, on one thread.
 * Each packet goes to the relay addressed to a node id, with one role byte in front: 0 for a
 * packet from a dialer (to the receiver's accepting codec), 1 for one from an acceptor (to the
 * receiver's dialing codec). Every remote node has one stable synthetic address, {@code fd}
 * followed by the first 15 bytes of its id, port from the next two (the codec routes by address;
 * QUIC authenticates the node behind it, so an address collision could only lose packets, never
 * admit a wrong node).
 */
final class RelayPath implements DatagramPath, RelayClient.Receiver {
    private static final Logger LOG = LoggerFactory.getLogger(RelayPath.class);
    static final byte FROM_DIALER = 0;
    static final byte FROM_ACCEPTOR = 1;
    /** The largest QUIC packet on this path, bytes (see {@link #maxPacketSize()}). */
    static final int PACKET_SIZE = 4000;
    /** Remote nodes remembered (address ↔ id) at most; packets from more are dropped. */
    static final int MAX_PEERS = 65_536;

    private final RelayOptions options;
    private final PrivateKey identity;
    private final PublicKey self;
    private final InetSocketAddress selfAddress;
    private final RelayClient client;
    private final Map<String, PublicKey> peers = new ConcurrentHashMap<>();
    final AtomicLong droppedUnknown = new AtomicLong();

    private volatile CodecChannel toAcceptor;
    private volatile CodecChannel toDialer;
    private volatile java.util.function.BiConsumer<InetSocketAddress, String> unreachable = (a, why) -> { };

    RelayPath(RelayOptions options, PrivateKey identity, EventSink events) {
        this.options = options;
        this.identity = identity;
        this.self = identity.publicKey();
        this.selfAddress = addressOf(self);
        this.client = new RelayClient(options, identity, this, events);
    }

    static InetSocketAddress addressOf(PublicKey node) {
        byte[] id = node.bytes();
        byte[] ip = new byte[16];
        ip[0] = (byte) 0xfd;
        System.arraycopy(id, 0, ip, 1, 15);
        int port = 1 + (((id[15] & 0xff) << 8 | (id[16] & 0xff)) % 65535);
        try {
            return new InetSocketAddress(Inet6Address.getByAddress(null, ip, -1), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }

    private static String key(InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        return ip == null ? "" : HexFormat.of().formatHex(ip.getAddress());
    }

    private boolean remember(PublicKey node) {
        String k = key(addressOf(node));
        PublicKey known = peers.get(k);
        if (known != null) {
            return known.equals(node);
        }
        if (peers.size() >= MAX_PEERS) {
            return false;
        }
        return node.equals(peers.computeIfAbsent(k, x -> node));
    }

    @Override
    public Channels open(EventLoopGroup group, ChannelHandler serverCodec, ChannelHandler clientCodec) {
        // the codecs and the relay connection share one event loop: no handoff between them
        EventLoop loop = group.next();
        toAcceptor = codecChannel(loop, serverCodec, FROM_ACCEPTOR);
        toDialer = codecChannel(loop, clientCodec, FROM_DIALER);
        CompletableFuture<Void> first = client.start(loop);
        Duration wait = options.quic().handshakeTimeout();
        try {
            first.get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // a node starts while its relay is down; the client keeps trying in the background
            LOG.warn("relay {} not reached within {} ms; still trying", options.relayUrl(), wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return new Channels(toAcceptor, toDialer);
    }

    /** A codec's channel: what the codec writes goes to the relay with {@code role} in front. */
    private CodecChannel codecChannel(EventLoop loop, ChannelHandler codec, byte role) {
        CodecChannel c = new CodecChannel(selfAddress, packet -> toRelay(packet, role), client::flush);
        c.pipeline().addLast(codec);
        ChannelFuture registered = loop.register(c);
        if (!registered.awaitUninterruptibly(10, TimeUnit.SECONDS) || !registered.isSuccess()) {
            throw new ConfigurationException("cannot set up the relay path: "
                    + (registered.cause() == null ? "registration timed out" : registered.cause().getMessage()), registered.cause());
        }
        return c;
    }

    /** A packet a codec wrote: to the relay, addressed to the node behind its recipient. */
    private void toRelay(DatagramPacket p, byte role) {
        PublicKey to = peers.get(key(p.recipient()));
        if (to == null) {
            p.release();
            droppedUnknown.incrementAndGet();
            return;
        }
        CompositeByteBuf payload = p.content().alloc().compositeBuffer(2);
        payload.addComponents(true, p.content().alloc().buffer(1).writeByte(role), p.content());
        client.send(to, payload);
    }

    @Override
    public void received(PublicKey source, ByteBuf payload) {
        if (payload.readableBytes() < 2 || !remember(source)) {
            payload.release();
            droppedUnknown.incrementAndGet();
            return;
        }
        byte role = payload.readByte();
        // a dialer's packet goes to this node's accepting codec, an acceptor's to its dialing codec
        CodecChannel b = role == FROM_DIALER ? toAcceptor : role == FROM_ACCEPTOR ? toDialer : null;
        if (b == null) {
            payload.release();
            droppedUnknown.incrementAndGet();
            return;
        }
        // a copy of its own: given a slice of the relay message (an offset into a pooled buffer),
        // Netty's QUIC codec 4.2.18 silently ignored every packet (measured: no handshake at all)
        ByteBuf copy = payload.alloc().directBuffer(payload.readableBytes()).writeBytes(payload);
        payload.release();
        b.deliver(new DatagramPacket(copy, selfAddress, addressOf(source)));
    }

    @Override
    public void readComplete() {
        CodecChannel a = toAcceptor;
        CodecChannel d = toDialer;
        if (a != null) {
            a.readComplete();
        }
        if (d != null) {
            d.readComplete();
        }
    }

    /**
     * QUIC packets of up to 4,000 bytes: the relay carries each as a message, with no path MTU to
     * respect, and a bulk transfer then costs a third of the packets, relay messages and
     * acknowledgements of 1,200-byte ones (relayed bulk 81 -> 119 MB/s on loopback, RESULTS.md).
     * Every relay forwards them ({@link RelayFrame#MIN_MAX_MESSAGE}).
     */
    @Override
    public java.util.OptionalInt maxPacketSize() {
        return java.util.OptionalInt.of(PACKET_SIZE);
    }

    @Override
    public void onUnreachable(java.util.function.BiConsumer<InetSocketAddress, String> listener) {
        unreachable = listener;
    }

    /** The relay has no such node: a dial to it fails now rather than at the handshake timeout. */
    @Override
    public void peerGone(PublicKey node) {
        LOG.debug("relay {} has no node {}", options.relayUrl(), node);
        unreachable.accept(addressOf(node), "node " + node.hex() + " is not connected to relay " + options.relayUrl());
    }

    @Override
    public NodeAddress localAddress(PublicKey self) {
        return new NodeAddress(self, List.of(), Optional.of(options.relayUrl()));
    }

    /** True if {@code remote} names this node's home relay (any spelling of the same scheme, host and port). */
    @Override
    public boolean supports(NodeAddress remote) {
        return remote.relayUrl().filter(this::isHome).isPresent();
    }

    private boolean isHome(java.net.URI url) {
        try {
            return RelayOptions.relayUrl(url.toString()).equals(options.relayUrl());
        } catch (ConfigurationException notARelay) {
            return false;
        }
    }

    @Override
    public String unsupportedReason(NodeAddress remote) {
        return remote.relayUrl().isEmpty()
                ? "the relay transport dials through a relay, and the address of node " + remote.nodeId().hex() + " names none"
                : "node " + remote.nodeId().hex() + " is at relay " + remote.relayUrl().get() + ", this node's home relay is " + options.relayUrl();
    }

    @Override
    public List<InetSocketAddress> dialTargets(NodeAddress remote) {
        if (!supports(remote) || !remember(remote.nodeId())) {
            return List.of();
        }
        return List.of(addressOf(remote.nodeId()));
    }

    @Override
    public Optional<String> cannotReach(InetSocketAddress target) {
        return Optional.empty();
    }

    @Override
    public Optional<InetSocketAddress> dialLocalAddress() {
        return Optional.of(selfAddress);
    }

    /** Whether the relay connection is up now (for tests and diagnostics). */
    boolean connected() {
        return client.isConnected();
    }

    RelayClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
        for (CodecChannel c : new CodecChannel[] {toAcceptor, toDialer}) {
            if (c != null) {
                c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        }
    }
}
