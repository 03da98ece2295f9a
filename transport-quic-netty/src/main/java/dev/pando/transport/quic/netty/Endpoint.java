package dev.pando.transport.quic.netty;

import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import dev.pando.spi.TransportContext;
import dev.pando.transport.quic.core.Alpn;
import dev.pando.transport.quic.core.NodeCertificate;
import dev.pando.transport.quic.core.QuicOptions;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The {@link QuicNettyTransport}'s endpoint: the node certificate and TLS contexts, the event loop
 * group ("pando-quic-netty-io-N"), the QUIC server and client codecs on the channels of the
 * {@link DatagramPath} (one UDP socket for both, or a relay's tunnel), and the local address; it also starts the {@link Callbacks} thread and
 * releases everything again.
 *
 * <p>Threads and locks: {@link #start} runs under the transport's lock in {@code start()};
 * {@link #release} runs on the thread calling {@code close()} (or a failed {@code start()}). The
 * fields are volatile, set once in {@link #start} and read after from any thread.
 */
final class Endpoint {
    private static final int DATAGRAM_QUEUE = 16;
    /** SNI sent by the client: identity is checked via the certificate extension, never the name. */
    private static final String PEER_HOST = "pando";

    private final QuicNettyTransport transport;
    private final TransportContext context;
    private final QuicOptions options;
    private final DatagramPath path;
    private final Callbacks callbacks;

    // set in start(), read after
    private volatile NodeCertificate certificate;
    private volatile EventLoopGroup group;
    private volatile Channel serverChannel;
    private volatile Channel clientChannel;
    private volatile NodeAddress localAddress;

    Endpoint(QuicNettyTransport transport, TransportContext context, QuicOptions options, DatagramPath path, Callbacks callbacks) {
        this.transport = transport;
        this.context = context;
        this.options = options;
        this.path = path;
        this.callbacks = callbacks;
    }

    /** Creates the certificate, the threads and both codecs, and opens the path. Under the transport's lock. */
    void start(PublicKey self) {
        certificate = NodeCertificate.create(context.identity());
        String alpn = Alpn.of(context.networkId());
        NodeTrustManager trust = new NodeTrustManager();
        QuicSslContext serverSsl = QuicSslContextBuilder
                .forServer(certificate.keyPair().getPrivate(), null, certificate.certificate())
                // own network first: BoringSSL picks the first of the server's list the client offers
                .applicationProtocols(alpn, Alpn.OTHER_NETWORK)
                .trustManager(trust)
                .build();
        QuicSslContext clientSsl = QuicSslContextBuilder.forClient()
                .trustManager(trust)
                .applicationProtocols(alpn, Alpn.OTHER_NETWORK)
                .build();

        callbacks.start();
        group = new MultiThreadIoEventLoopGroup(options.ioThreads(), new DefaultThreadFactory("pando-quic-netty-io", true),
                NioIoHandler.newFactory());

        ChannelHandler serverCodec = configure(new QuicServerCodecBuilder())
                .sslContext(serverSsl)
                .tokenHandler(NoRetryTokenHandler.INSTANCE)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        QuicLink link = new QuicLink(true);
                        link.channel = ch;
                        ch.attr(QuicLink.KEY).set(link);
                        ch.pipeline().addLast(new LinkHandler(transport, link));
                    }
                })
                .streamOption(ChannelOption.AUTO_READ, false)
                .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .streamHandler(inboundStreams())
                .build();
        ChannelHandler clientCodec = configure(new QuicClientCodecBuilder())
                .sslContext(clientSsl)
                // the engine needs a peer host, or BoringSSL's verification of the server fails
                .sslEngineProvider(ch -> clientSsl.newEngine(ch.alloc(), PEER_HOST, 1))
                .build();

        DatagramPath.Channels channels = path.open(group, serverCodec, clientCodec);
        serverChannel = channels.server();
        clientChannel = channels.client();
        localAddress = path.localAddress(self);
    }

    private <B extends QuicCodecBuilder<B>> B configure(B b) {
        path.maxPacketSize().ifPresent(size -> b.maxSendUdpPayloadSize(size).maxRecvUdpPayloadSize(size));
        return b.maxIdleTimeout(options.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .initialMaxData(options.connectionWindow())
                .initialMaxStreamDataBidirectionalLocal(options.streamWindow())
                .initialMaxStreamDataBidirectionalRemote(options.streamWindow())
                .initialMaxStreamsBidirectional(options.maxStreamsPerConnection())
                .initialMaxStreamsUnidirectional(0)
                // datagrams carry only keep-alives (quiche has no PING API)
                .datagram(DATAGRAM_QUEUE, DATAGRAM_QUEUE)
                .activeMigration(false)
                // one length for the ids of both roles: the UDP path routes short-header packets by them
                .localConnectionIdLength(DialedConnectionIds.ID_LENGTH);
    }

    /** The handler of streams the remote opens, on links of either role. */
    ChannelInitializer<QuicStreamChannel> inboundStreams() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(QuicStreamChannel ch) {
                ch.config().setAutoRead(false);
                ch.config().setAllowHalfClosure(true);
                ch.pipeline().addLast(new InboundStreamHandler(transport));
            }
        };
    }

    /** Closes both channels and the path, and shuts the event loops and the callback thread down. */
    void release() {
        for (Channel c : new Channel[] {serverChannel, clientChannel}) {
            if (c != null) {
                c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
        }
        path.close();
        EventLoopGroup g = group;
        if (g != null) {
            g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        callbacks.shutDown();
    }

    NodeCertificate certificate() {
        return certificate;
    }

    /** Null until started. */
    EventLoopGroup group() {
        return group;
    }

    /** The channel outgoing connections are made on. */
    Channel clientChannel() {
        return clientChannel;
    }

    /** Null until started. */
    NodeAddress localAddress() {
        return localAddress;
    }
}
