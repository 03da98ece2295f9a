package dev.pando.transport.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pando.PrivateKey;
import dev.pando.spi.ProviderOptions;
import dev.pando.transport.quic.netty.DatagramPath;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay path below the QUIC codecs, with stand-ins for the codecs: packets the relay brings
 * reach the codec of their role, on the relay connection's thread, one read burst ending in one
 * read-complete; packets a codec writes reach the relay addressed to their node, role byte first.
 */
class RelayPathTest {
    private EventLoopGroup group;
    private TestRelay relay;
    private RelayPath path;

    @BeforeEach
    void setUp() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        relay = new TestRelay();
    }

    @AfterEach
    void tearDown() {
        if (path != null) {
            path.close();
        }
        relay.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    /** A stand-in codec: records what it reads, the thread it ran on, and read-completes. */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<byte[]> packets = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final List<Integer> completes = new CopyOnWriteArrayList<>();
        volatile ChannelHandlerContext ctx;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            packets.add(ByteBufUtil.getBytes(p.content()));
            threads.add(Thread.currentThread());
            p.release();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            completes.add(packets.size());
        }
    }

    @Test
    void packetsPassBetweenTheRelayAndTheCodecsOnTheRelayConnectionsThread() throws Exception {
        PrivateKey key = PrivateKey.generate();
        path = new RelayPath(RelayOptions.parse(ProviderOptions.of("relay_url", relay.url())), key, e -> { });
        Recorder acceptor = new Recorder();
        Recorder dialer = new Recorder();
        DatagramPath.Channels channels = path.open(group, (ChannelHandler) acceptor, (ChannelHandler) dialer);
        assertThat(channels.server().eventLoop()).isSameAs(channels.client().eventLoop());
        assertThat(path.connected()).isTrue();

        try (RawRelayClient remote = new RawRelayClient(group, java.net.URI.create(relay.url())).authenticate()) {
            // a dialer's packet goes to the accepting codec, an acceptor's to the dialing codec
            remote.sendPacket(key.publicKey(), new byte[] {RelayPath.FROM_DIALER, 1, 2});
            remote.sendPacket(key.publicKey(), new byte[] {RelayPath.FROM_ACCEPTOR, 3});
            await().atMost(Duration.ofSeconds(10)).until(() -> acceptor.packets.size() == 1 && dialer.packets.size() == 1);
            assertThat(acceptor.packets.get(0)).containsExactly(1, 2);
            assertThat(dialer.packets.get(0)).containsExactly(3);
            await().atMost(Duration.ofSeconds(10)).until(() -> !acceptor.completes.isEmpty() && !dialer.completes.isEmpty());
            // both ran on the thread of the channels, which is the relay connection's
            Thread loopThread = channels.server().eventLoop().submit(Thread::currentThread).get(10, TimeUnit.SECONDS);
            assertThat(acceptor.threads).containsOnly(loopThread);
            assertThat(dialer.threads).containsOnly(loopThread);
            assertThat(path.client().channelLoop()).isSameAs(channels.server().eventLoop());

            // what a codec writes goes to the node behind the recipient's synthetic address
            ByteBuf out = Unpooled.wrappedBuffer(new byte[] {9, 8, 7});
            channels.client().eventLoop().execute(() -> dialer.ctx.writeAndFlush(
                    new DatagramPacket(out, RelayPath.addressOf(remote.id()))));
            // the path knows the remote: it sent packets before
            RelayFrame.Packet got = (RelayFrame.Packet) RelayFrame.decode(remote.next());
            assertThat(got.peer()).isEqualTo(key.publicKey());
            assertThat(ByteBufUtil.getBytes(got.payload())).containsExactly(RelayPath.FROM_DIALER, 9, 8, 7);
            got.payload().release();
        }

        // a new relay connection (after the relay restarted) runs on the codecs' thread again
        java.net.InetSocketAddress address = relay.server.boundAddress();
        relay.close();
        relay = new TestRelay(RelayServerConfig.defaults().withBind(address));
        await().atMost(Duration.ofSeconds(30)).until(path::connected);
        assertThat(path.client().channelLoop()).isSameAs(channels.server().eventLoop());
    }

    @Test
    void bulkDataCrossesTheRelayInPacketsLargerThanQuicsDefault() {
        try (RelayNodes nodes = new RelayNodes()) {
            RelayNodes.Node a = nodes.start(relay.url());
            RelayNodes.Node b = nodes.start(relay.url());
            dev.pando.spi.Connection c = a.transport.dial(b.transport.localAddress(), RelayNodes.RECORD).join();
            dev.pando.spi.DuplexStream s = c.openStream().join();
            s.timeout(Duration.ofSeconds(30));
            byte[] data = new byte[512 * 1024];
            new java.util.Random(7).nextBytes(data);
            long packetsBefore = relay.server.metrics().packetsForwarded();
            long bytesBefore = relay.server.metrics().bytesForwarded();
            assertThat(RelayNodes.roundTrip(s, data)).isEqualTo(data);
            long packets = relay.server.metrics().packetsForwarded() - packetsBefore;
            long bytes = relay.server.metrics().bytesForwarded() - bytesBefore;
            // 1 MiB crossed (there and back); 1,200-byte packets would need over 870 of them
            assertThat(bytes).isGreaterThan(1L << 20);
            assertThat(packets).isLessThan((1L << 20) / 2000);
            assertThat(bytes / packets).as("average relayed packet").isGreaterThan(2000);
        }
    }
}
