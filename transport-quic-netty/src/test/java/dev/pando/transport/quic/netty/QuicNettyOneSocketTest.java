package dev.pando.transport.quic.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.testkit.support.UdpDelayRelay;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A quic-netty node accepts and dials on one UDP socket: a peer sees the connections it dials come
 * from the address it listens on (what NAT traversal needs), and the demultiplexer in front of the
 * two QUIC codecs routes by destination connection id.
 */
class QuicNettyOneSocketTest {
    private static final String ECHO = "pando/echo/1";
    private final List<Transport> transports = new ArrayList<>();

    @AfterEach
    void close() {
        transports.forEach(Transport::close);
    }

    private QuicNettyTransport node() {
        Transport t = new QuicNettyTransportProvider().create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT,
                // deadlines far above a loopback handshake (~20 ms) and below QUIC's retransmission
                // backoff: a codec that misses its read-complete event answers only on its timers
                ProviderOptions.of("bind", "127.0.0.1:0", "handshake_timeout", "5s", "stream_timeout", "5s")));
        t.accept(ECHO, c -> {
            Thread echo = new Thread(() -> echo(c), "echo");
            echo.setDaemon(true);
            echo.start();
        });
        t.start();
        transports.add(t);
        return (QuicNettyTransport) t;
    }

    /** Echoes five bytes on every stream the peer opens, until the connection ends. */
    private static void echo(Connection c) {
        try {
            while (true) {
                DuplexStream s = c.acceptStream().get(30, TimeUnit.SECONDS);
                byte[] b = new byte[5];
                s.readFully(b, 0, b.length);
                s.write(b, 0, b.length);
                s.closeOutput();
            }
        } catch (Exception e) {
            // the connection ended; the test's own assertions report a failed echo
        }
    }

    private static String roundTrip(Connection c) throws Exception {
        DuplexStream s = c.openStream().get(30, TimeUnit.SECONDS);
        s.write("hello".getBytes(StandardCharsets.US_ASCII), 0, 5);
        s.flush();
        byte[] back = new byte[5];
        s.readFully(back, 0, 5);
        return new String(back, StandardCharsets.US_ASCII);
    }

    @Test
    @Timeout(60)
    void aPeerSeesADialComeFromTheAddressTheDialerListensOn() throws Exception {
        QuicNettyTransport server = node();
        QuicNettyTransport client = node();
        InetSocketAddress serverUdp = server.localAddress().directAddresses().get(0);
        try (UdpDelayRelay spy = UdpDelayRelay.to(serverUdp).start()) {
            Connection c = client.dial(NodeAddress.direct(server.localAddress().nodeId(), spy.address()), ECHO)
                    .get(30, TimeUnit.SECONDS);
            assertThat(roundTrip(c)).isEqualTo("hello");
            assertThat(spy.clientAddresses()).containsExactly(client.localAddress().directAddresses().get(0));
        }
    }

    @Test
    @Timeout(60)
    void twoNodesDialEachOtherWhileEachAlsoAcceptsOnTheSameSocket() throws Exception {
        QuicNettyTransport a = node();
        QuicNettyTransport b = node();
        QuicNettyTransport c = node();
        // a dials b and is dialed by c at once: both codecs of a's one socket carry traffic
        Connection ab = a.dial(b.localAddress(), ECHO).get(30, TimeUnit.SECONDS);
        Connection ca = c.dial(a.localAddress(), ECHO).get(30, TimeUnit.SECONDS);
        assertThat(roundTrip(ab)).isEqualTo("hello");
        assertThat(roundTrip(ca)).isEqualTo("hello");
        assertThat(roundTrip(ab)).isEqualTo("hello");
        UdpPath path = (UdpPath) a.path();
        assertThat(path.demux().reserved()).isEqualTo(1);

        // the dialed connection's id is released when it closes
        a.close();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> path.demux().reserved() == 0);
    }

    @Test
    void theDestinationIdIsReadFromLongAndShortHeadersAndNothingShorter() {
        byte[] id = new byte[DialedConnectionIds.ID_LENGTH];
        for (int i = 0; i < id.length; i++) {
            id[i] = (byte) (i + 1);
        }
        // long header: flags, version, id length, id, then the source id and the rest
        ByteBuf longHeader = Unpooled.buffer().writeByte(0xc3).writeInt(1).writeByte(id.length).writeBytes(id).writeByte(8)
                .writeBytes(new byte[8]).writeBytes(new byte[40]);
        assertThat(DialedConnectionIds.destinationId(longHeader)).isEqualTo(ByteBuffer.wrap(id));
        // long header with a shorter id (a peer's first Initial chooses its own length)
        ByteBuf shortId = Unpooled.buffer().writeByte(0xc0).writeInt(1).writeByte(8).writeBytes(id, 0, 8).writeBytes(new byte[30]);
        assertThat(DialedConnectionIds.destinationId(shortId)).isEqualTo(ByteBuffer.wrap(id, 0, 8));
        // short header: the id follows the first byte, with the length this node gives all its ids
        ByteBuf shortHeader = Unpooled.buffer().writeByte(0x43).writeBytes(id).writeBytes(new byte[30]);
        assertThat(DialedConnectionIds.destinationId(shortHeader)).isEqualTo(ByteBuffer.wrap(id));
        // too short to hold what the header says: no id, so the server codec gets it (and drops it)
        assertThat(DialedConnectionIds.destinationId(Unpooled.buffer())).isEqualTo(ByteBuffer.allocate(0));
        assertThat(DialedConnectionIds.destinationId(Unpooled.buffer().writeByte(0xc0).writeInt(1))).isEqualTo(ByteBuffer.allocate(0));
        assertThat(DialedConnectionIds.destinationId(Unpooled.buffer().writeByte(0xc0).writeInt(1).writeByte(20).writeBytes(new byte[19])))
                .isEqualTo(ByteBuffer.allocate(0));
        assertThat(DialedConnectionIds.destinationId(Unpooled.buffer().writeByte(0x40).writeBytes(new byte[19])))
                .isEqualTo(ByteBuffer.allocate(0));
        // reading moved nothing
        assertThat(longHeader.readerIndex()).isZero();
    }
}
