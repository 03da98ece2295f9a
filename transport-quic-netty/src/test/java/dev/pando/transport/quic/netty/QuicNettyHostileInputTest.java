package dev.pando.transport.quic.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.transport.quic.core.Alpn;
import dev.pando.transport.quic.core.ClientAuthExchange;
import dev.pando.transport.quic.core.CloseCode;
import dev.pando.transport.quic.core.StreamPreamble;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.ReferenceCountUtil;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a misbehaving peer can do to a listener: lie about its id, skip or stall the auth stream,
 * open streams before proving itself, spray random datagrams. Each is refused and counted, and the
 * listener keeps serving honest dialers.
 */
class QuicNettyHostileInputTest {
    static final String ECHO = "pando/echo/1";
    private final List<Transport> transports = new ArrayList<>();
    private EventLoopGroup rawGroup;

    @AfterEach
    void close() {
        transports.forEach(Transport::close);
        if (rawGroup != null) {
            rawGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private QuicNettyTransport server(List<Connection> accepted, String... options) {
        ProviderOptions o = ProviderOptions.of("bind", "127.0.0.1:0");
        for (int i = 0; i < options.length; i += 2) {
            o = o.with(options[i], options[i + 1]);
        }
        Transport t = new QuicNettyTransportProvider().create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT, o));
        t.accept(ECHO, c -> {
            accepted.add(c);
            c.acceptStream().thenAccept(s -> new Thread(() -> echoOnce(s), "test-echo").start());
        });
        t.start();
        transports.add(t);
        return (QuicNettyTransport) t;
    }

    private static void echoOnce(DuplexStream s) {
        try {
            s.write(s.inputStream().readAllBytes());
            s.closeOutput();
        } catch (RuntimeException | java.io.IOException e) {
            s.abort();
        }
    }

    private void honestDialWorks(QuicNettyTransport server) throws Exception {
        Transport client = new QuicNettyTransportProvider().create(new TransportContext(PrivateKey.generate(),
                NetworkId.DEFAULT, ProviderOptions.of("bind", "127.0.0.1:0")));
        transports.add(client);
        client.start();
        Connection c = client.dial(server.localAddress(), ECHO).get(20, TimeUnit.SECONDS);
        DuplexStream s = c.openStream().get(20, TimeUnit.SECONDS);
        s.write(new byte[] {9, 8, 7});
        s.closeOutput();
        assertThat(s.inputStream().readAllBytes()).containsExactly(9, 8, 7);
    }

    /** A bare QUIC client speaking the right ALPN and checking nothing, driven by the test. */
    private QuicChannel rawConnect(InetSocketAddress to, AtomicReference<QuicConnectionCloseEvent> closeEvent) throws Exception {
        if (rawGroup == null) {
            rawGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        }
        QuicSslContext ssl = QuicSslContextBuilder.forClient().trustManager(new NodeTrustManager())
                .applicationProtocols(Alpn.of(NetworkId.DEFAULT)).build();
        ChannelHandler codec = new QuicClientCodecBuilder().sslContext(ssl)
                .sslEngineProvider(ch -> ssl.newEngine(ch.alloc(), "pando", 1))
                .maxIdleTimeout(30, TimeUnit.SECONDS).initialMaxData(1 << 20)
                .initialMaxStreamDataBidirectionalLocal(1 << 16).initialMaxStreamDataBidirectionalRemote(1 << 16)
                .initialMaxStreamsBidirectional(10).build();
        Channel udp = new Bootstrap().group(rawGroup).channel(NioDatagramChannel.class).handler(codec)
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        return QuicChannel.newBootstrap(udp)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        if (evt instanceof QuicConnectionCloseEvent e) {
                            closeEvent.set(e);
                        }
                        ctx.fireUserEventTriggered(evt);
                    }
                })
                .streamHandler(new ChannelInboundHandlerAdapter())
                .remoteAddress(to).connect().get(10, TimeUnit.SECONDS);
    }

    /** A stream whose received bytes land in a queue. */
    private static QuicStreamChannel rawStream(QuicChannel ch, LinkedBlockingQueue<Byte> received) throws Exception {
        return ch.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf b = (ByteBuf) msg;
                while (b.isReadable()) {
                    received.add(b.readByte());
                }
                ReferenceCountUtil.release(msg);
            }
        }).get(10, TimeUnit.SECONDS);
    }

    private static byte[] take(LinkedBlockingQueue<Byte> q, int n) throws InterruptedException {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            Byte b = q.poll(10, TimeUnit.SECONDS);
            assertThat(b).as("byte %d of %d", i, n).isNotNull();
            out[i] = b;
        }
        return out;
    }

    @Test
    @Timeout(60)
    void aClientClaimingAnotherNodeIdIsRejectedAndDisconnected() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        QuicNettyTransport server = server(accepted);
        PrivateKey victim = PrivateKey.generate();
        PrivateKey attacker = PrivateKey.generate();
        AtomicReference<QuicConnectionCloseEvent> closed = new AtomicReference<>();
        QuicChannel ch = rawConnect(server.localAddress().directAddresses().get(0), closed);
        byte[] serverCert = ch.sslEngine().getSession().getPeerCertificates()[0].getEncoded();

        LinkedBlockingQueue<Byte> in = new LinkedBlockingQueue<>();
        QuicStreamChannel auth = rawStream(ch, in);
        auth.writeAndFlush(Unpooled.wrappedBuffer(ClientAuthExchange.hello(victim.publicKey())));
        byte[] nonce = take(in, ClientAuthExchange.NONCE_LENGTH);
        // a valid signature by the attacker over the right transcript, but for the victim's claimed id
        byte[] proof = attacker.sign(transcriptFor(serverCert, nonce, server, victim)).bytes();
        auth.writeAndFlush(Unpooled.wrappedBuffer(proof));
        assertThat(take(in, 1)[0]).isEqualTo((byte) ClientAuthExchange.REJECTED);

        await().atMost(Duration.ofSeconds(10)).until(() -> !ch.isActive());
        assertThat(closed.get()).isNotNull();
        assertThat(closed.get().isApplicationClose()).isTrue();
        assertThat(closed.get().error()).isEqualTo(CloseCode.AUTH_FAILED.code());
        assertThat(accepted).isEmpty();
        assertThat(server.counters()).containsEntry("failed_auth", 1L);
        honestDialWorks(server);
    }

    /** The transcript bytes as the victim would have signed them (prefix, cert hash, nonce, ids). */
    private static byte[] transcriptFor(byte[] serverCert, byte[] nonce, QuicNettyTransport server, PrivateKey claimed) {
        byte[] hash = dev.pando.transport.quic.core.NodeCertificate.sha256(serverCert);
        byte[] prefix = "pando-client-auth:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.io.ByteArrayOutputStream t = new java.io.ByteArrayOutputStream();
        t.writeBytes(prefix);
        t.writeBytes(hash);
        t.writeBytes(nonce);
        t.writeBytes(server.nodeId().bytes());
        t.writeBytes(claimed.publicKey().bytes());
        return t.toByteArray();
    }

    @Test
    @Timeout(60)
    void streamsBeforeTheProofAreRefused() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        QuicNettyTransport server = server(accepted);
        AtomicReference<QuicConnectionCloseEvent> closed = new AtomicReference<>();
        QuicChannel ch = rawConnect(server.localAddress().directAddresses().get(0), closed);
        LinkedBlockingQueue<Byte> authIn = new LinkedBlockingQueue<>();
        rawStream(ch, authIn); // stream 0, silent
        LinkedBlockingQueue<Byte> in = new LinkedBlockingQueue<>();
        QuicStreamChannel early = rawStream(ch, in);
        early.writeAndFlush(Unpooled.wrappedBuffer(new StreamPreamble(StreamPreamble.Kind.OPEN_CONNECTION, ECHO).encode()));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.counters().getOrDefault("streams_before_auth", 0L) == 1L);
        // refused with RESET_STREAM: no answer ever comes, and no connection was created
        assertThat(in).as("no OPEN_CONNECTION answer").isEmpty();
        assertThat(accepted).isEmpty();
        honestDialWorks(server);
    }

    @Test
    @Timeout(60)
    void aClientThatNeverProvesItselfIsDisconnected() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        QuicNettyTransport server = server(accepted, "handshake_timeout", "700ms");
        AtomicReference<QuicConnectionCloseEvent> closed = new AtomicReference<>();
        QuicChannel ch = rawConnect(server.localAddress().directAddresses().get(0), closed);
        await().atMost(Duration.ofSeconds(10)).until(() -> !ch.isActive());
        assertThat(closed.get()).isNotNull();
        assertThat(closed.get().error()).isEqualTo(CloseCode.AUTH_TIMEOUT.code());
        assertThat(server.counters()).containsEntry("auth_timeouts", 1L);
        await().atMost(Duration.ofSeconds(10)).until(() -> server.linkCount() == 0);
    }

    @Test
    @Timeout(120)
    void randomDatagramsNeverBreakTheListener() throws Exception {
        List<Connection> accepted = new CopyOnWriteArrayList<>();
        QuicNettyTransport server = server(accepted);
        InetSocketAddress target = server.localAddress().directAddresses().get(0);
        SplittableRandom r = new SplittableRandom(2024);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            for (int i = 0; i < 3000; i++) {
                byte[] b = new byte[1 + r.nextInt(1400)];
                for (int j = 0; j < b.length; j++) {
                    b[j] = (byte) r.nextInt(256);
                }
                switch (i % 3) {
                    case 0 -> b[0] = (byte) (0xC0 | (b[0] & 0x3F)); // QUIC long header, random rest
                    case 1 -> b[0] = (byte) (0x40 | (b[0] & 0x3F)); // short header
                    default -> { }
                }
                if (i % 3 == 0 && b.length >= 5) {
                    // version 1, so the codec parses further into the packet
                    b[1] = 0;
                    b[2] = 0;
                    b[3] = 0;
                    b[4] = 1;
                }
                socket.send(new DatagramPacket(b, b.length, target));
            }
        }
        honestDialWorks(server);
        assertThat(accepted).hasSize(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> server.linkCount() <= 1);
    }

    @Test
    @Timeout(60)
    void dialsToANodeThatIsNotListeningTimeOut() throws Exception {
        Transport client = new QuicNettyTransportProvider().create(new TransportContext(PrivateKey.generate(),
                NetworkId.DEFAULT, ProviderOptions.of("bind", "127.0.0.1:0", "handshake_timeout", "500ms")));
        transports.add(client);
        client.start();
        InetSocketAddress nobody;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            nobody = (InetSocketAddress) s.getLocalSocketAddress();
        }
        CompletableFuture<Connection> f = client.dial(dev.pando.NodeAddress.direct(PrivateKey.generate().publicKey(), nobody), ECHO);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS))
                .cause().isInstanceOfAny(dev.pando.DeadlineExceededException.class, dev.pando.ConnectionClosedException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> ((QuicNettyTransport) client).linkCount() == 0);
    }

    @Test
    @Timeout(60)
    void aServerWithoutAPandoCertificateIsAProtocolViolation() throws Exception {
        if (rawGroup == null) {
            rawGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        }
        java.security.KeyPair kp = java.security.KeyPairGenerator.getInstance("EC").generateKeyPair();
        org.bouncycastle.asn1.x500.X500Name n = new org.bouncycastle.asn1.x500.X500Name("CN=plain");
        java.time.Instant now = java.time.Instant.now();
        java.security.cert.X509Certificate plain = new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter().getCertificate(
                new org.bouncycastle.cert.X509v3CertificateBuilder(n, java.math.BigInteger.TEN,
                        java.util.Date.from(now.minusSeconds(60)), java.util.Date.from(now.plusSeconds(3600)), n,
                        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded()))
                        .build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        QuicSslContext ssl = QuicSslContextBuilder.forServer(kp.getPrivate(), null, plain)
                .applicationProtocols(Alpn.of(NetworkId.DEFAULT)).build();
        ChannelHandler codec = new io.netty.handler.codec.quic.QuicServerCodecBuilder().sslContext(ssl)
                .tokenHandler(NoRetryTokenHandler.INSTANCE).maxIdleTimeout(5, TimeUnit.SECONDS)
                .initialMaxData(1 << 20).initialMaxStreamsBidirectional(10)
                .handler(new ChannelInboundHandlerAdapter()).streamHandler(new ChannelInboundHandlerAdapter()).build();
        Channel udp = new Bootstrap().group(rawGroup).channel(NioDatagramChannel.class).handler(codec)
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();

        Transport client = new QuicNettyTransportProvider().create(new TransportContext(PrivateKey.generate(),
                NetworkId.DEFAULT, ProviderOptions.of("bind", "127.0.0.1:0")));
        transports.add(client);
        client.start();
        CompletableFuture<Connection> f = client.dial(dev.pando.NodeAddress.direct(PrivateKey.generate().publicKey(),
                (InetSocketAddress) udp.localAddress()), ECHO);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.get(20, TimeUnit.SECONDS))
                .cause().isInstanceOf(dev.pando.ProtocolViolationException.class).hasMessageContaining("not a Pando node");
        udp.close().sync();
    }
}
