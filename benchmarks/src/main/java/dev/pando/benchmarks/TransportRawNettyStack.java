package dev.pando.benchmarks;

import dev.pando.PrivateKey;
import dev.pando.transport.quic.core.NodeCertificate;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.Quic;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.codec.quic.QuicTokenHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Netty's native QUIC (netty-codec-native-quic 4.2.18, quiche + BoringSSL) used directly, the way a
 * plain Netty QUIC application would, with no Pando code on the path: the baseline of the
 * "quic-netty" provider's wrapper cost.
 *
 * <p>Configured as the "quic-netty" provider configures Netty (QuicNettyTransport): one NIO event
 * loop thread per endpoint serving both its UDP socket and its QUIC connections, 30 s idle timeout,
 * 16 MiB connection window, 1 MiB stream windows (local and remote bidirectional), 100
 * bidirectional streams, no unidirectional streams, a DATAGRAM queue of 16 each way, active
 * migration off, QUIC Retry off; streams with auto-read off and half-closure allowed. TLS uses one
 * ALPN ({@value #ALPN}) and a self-signed EC P-256 certificate (made with the api's
 * {@link NodeCertificate} only so that its key type equals the provider's; its identity extension is
 * ignored); the client trusts any certificate. No identity proof, no stream preamble.
 *
 * <p>Each endpoint gets its own event loop and UDP socket, as each Pando transport does: the server
 * one per {@link #startServer()}, each client one per {@link Server#connect(InetSocketAddress)}
 * (set up before the clock starts). The timed handshake is {@code QuicChannelBootstrap.connect()}
 * until its future completes: the QUIC and TLS 1.3 handshake only.
 *
 * <p>Streams are blocking {@link Pipe}s built the way a Netty user has to: inbound data waits in a
 * queue of received buffers, and the channel is asked to read more only while fewer than
 * {@link #INBOUND_HIGH} bytes wait (beyond that QUIC flow control holds the peer back); a write
 * waits until the channel is writable (quiche has stream capacity) and fewer than
 * {@link #OUTBOUND_HIGH} bytes are handed to Netty but not yet taken by quiche, then copies the
 * bytes into one direct buffer and writes and flushes it. The two bounds equal the provider's.
 */
final class TransportRawNettyStack implements TransportStack {
    static final String ALPN = "pando-bench-raw";
    static final int INBOUND_HIGH = 256 * 1024;
    static final int OUTBOUND_HIGH = 256 * 1024;
    private static final long STREAM_WINDOW = 1L << 20;
    private static final long CONNECTION_WINDOW = 16L << 20;
    /** UDP socket buffers as the provider asks for (transport-quic-netty UdpPath): the default overflows under bursts. */
    private static final int SOCKET_BUFFER = 4 << 20;
    private static final int MAX_STREAMS = 100;
    private static final long IDLE_MILLIS = 30_000;
    private static final int DATAGRAM_QUEUE = 16;
    /** How long a blocked read or write waits; the benchmark's watchdog normally acts long before. */
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final ExecutorService workers;

    TransportRawNettyStack(ExecutorService workers) {
        this.workers = workers;
    }

    @Override
    public String name() {
        return "raw_netty";
    }

    private static <B extends QuicCodecBuilder<B>> B configure(B b) {
        return b.maxIdleTimeout(IDLE_MILLIS, TimeUnit.MILLISECONDS)
                .initialMaxData(CONNECTION_WINDOW)
                .initialMaxStreamDataBidirectionalLocal(STREAM_WINDOW)
                .initialMaxStreamDataBidirectionalRemote(STREAM_WINDOW)
                .initialMaxStreamsBidirectional(MAX_STREAMS)
                .initialMaxStreamsUnidirectional(0)
                .datagram(DATAGRAM_QUEUE, DATAGRAM_QUEUE)
                .activeMigration(false);
    }

    private static EventLoopGroup newGroup(String name) {
        return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name, true), NioIoHandler.newFactory());
    }

    private static void shutDown(EventLoopGroup group) {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    @Override
    public Server startServer() throws Exception {
        Quic.ensureAvailability();
        NodeCertificate certificate = NodeCertificate.create(PrivateKey.generate());
        QuicSslContext ssl = QuicSslContextBuilder
                .forServer(certificate.keyPair().getPrivate(), null, certificate.certificate())
                .applicationProtocols(ALPN)
                .build();
        Set<StreamPipe> open = ConcurrentHashMap.newKeySet();
        ChannelHandler codec = configure(new QuicServerCodecBuilder())
                .sslContext(ssl)
                .tokenHandler(NoRetry.INSTANCE)
                .handler(new ChannelInitializer<QuicChannel>() {
                    @Override
                    protected void initChannel(QuicChannel ch) {
                        // nothing per connection: every stream is served on its own
                    }
                })
                .streamOption(ChannelOption.AUTO_READ, false)
                .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                    @Override
                    protected void initChannel(QuicStreamChannel ch) {
                        StreamPipe pipe = new StreamPipe(open);
                        ch.pipeline().addLast(pipe);
                        // serve on a worker: blocking I/O must never run on the event loop
                        workers.execute(() -> TransportStack.serve(pipe));
                    }
                })
                .build();
        EventLoopGroup group = newGroup("raw-netty-server-io");
        Channel udp;
        try {
            udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER).option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER).handler(codec)
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        } catch (Exception e) {
            shutDown(group);
            throw e;
        }
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                ((InetSocketAddress) udp.localAddress()).getPort());
        return new Server() {
            @Override
            public InetSocketAddress address() {
                return address;
            }

            @Override
            public Client connect(InetSocketAddress via) throws Exception {
                return RawNettyClient.connect(via);
            }

            @Override
            public void close() {
                open.forEach(StreamPipe::fail);
                udp.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
                shutDown(group);
            }
        };
    }

    private static final class RawNettyClient implements Client {
        private final EventLoopGroup group;
        private final Channel udp;
        private final QuicChannel quic;
        private final long handshakeNanos;
        private final Set<StreamPipe> open = ConcurrentHashMap.newKeySet();
        private volatile boolean closed;

        private RawNettyClient(EventLoopGroup group, Channel udp, QuicChannel quic, long handshakeNanos) {
            this.group = group;
            this.udp = udp;
            this.quic = quic;
            this.handshakeNanos = handshakeNanos;
        }

        static Client connect(InetSocketAddress via) throws Exception {
            QuicSslContext ssl = QuicSslContextBuilder.forClient()
                    .trustManager(TrustAll.INSTANCE)
                    .applicationProtocols(ALPN)
                    .build();
            ChannelHandler codec = configure(new QuicClientCodecBuilder())
                    .sslContext(ssl)
                    // BoringSSL needs a peer host for the client engine
                    .sslEngineProvider(ch -> ssl.newEngine(ch.alloc(), "localhost", via.getPort()))
                    .build();
            EventLoopGroup group = newGroup("raw-netty-client-io");
            try {
                Channel udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER).option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER).handler(codec)
                        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
                long start = System.nanoTime();
                QuicChannel quic = QuicChannel.newBootstrap(udp)
                        .handler(new ChannelInitializer<QuicChannel>() {
                            @Override
                            protected void initChannel(QuicChannel ch) {
                                // nothing per connection
                            }
                        })
                        .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
                            @Override
                            protected void initChannel(QuicStreamChannel ch) {
                                ch.close(); // the server never opens streams
                            }
                        })
                        .streamOption(ChannelOption.AUTO_READ, false)
                        .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                        .remoteAddress(via)
                        .connect()
                        .get(10, TimeUnit.SECONDS);
                return new RawNettyClient(group, udp, quic, System.nanoTime() - start);
            } catch (Exception e) {
                shutDown(group);
                throw e;
            }
        }

        @Override
        public long handshakeNanos() {
            return handshakeNanos;
        }

        @Override
        public Pipe openStream() throws Exception {
            if (closed) {
                throw new IOException("client closed");
            }
            StreamPipe pipe = new StreamPipe(open);
            QuicStreamChannel ch = quic.createStream(QuicStreamType.BIDIRECTIONAL, pipe).get(10, TimeUnit.SECONDS);
            pipe.attach(ch);
            return pipe;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            open.forEach(StreamPipe::fail);
            quic.close(true, 0, Unpooled.copiedBuffer("bye", StandardCharsets.US_ASCII))
                    .awaitUninterruptibly(500, TimeUnit.MILLISECONDS);
            udp.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            shutDown(group);
        }
    }

    /** One stream as a blocking pipe; also the stream channel's last inbound handler. */
    private static final class StreamPipe extends ChannelInboundHandlerAdapter implements Pipe {
        private final Set<StreamPipe> open;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private volatile QuicStreamChannel channel;

        // guarded by lock
        private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
        private int buffered;
        private boolean eof;
        private boolean readPaused;
        private boolean closed;
        private boolean released;
        private String failure;
        private long inFlight;
        private boolean outputClosed;

        StreamPipe(Set<StreamPipe> open) {
            this.open = open;
            open.add(this);
        }

        void attach(QuicStreamChannel ch) {
            if (channel == null) {
                channel = ch;
            }
        }

        // ---- event loop side ----

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            QuicStreamChannel ch = (QuicStreamChannel) ctx.channel();
            attach(ch);
            ch.closeFuture().addListener(f -> channelClosed());
            if (ch.isActive()) {
                ctx.read();
            }
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.read();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf data = msg instanceof QuicStreamFrame f ? f.content() : (ByteBuf) msg;
            lock.lock();
            try {
                if (released || !data.isReadable()) {
                    ReferenceCountUtil.release(msg);
                    return;
                }
                // keep Netty's buffer as it is: the reader copies once, straight into its array
                inbound.add(data);
                buffered += data.readableBytes();
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            boolean more;
            lock.lock();
            try {
                more = !eof && buffered < INBOUND_HIGH;
                readPaused = !more && !eof;
            } finally {
                lock.unlock();
            }
            if (more) {
                ctx.read();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                lock.lock();
                try {
                    eof = true;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            signal();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(cause.toString());
            ctx.close();
        }

        private void channelClosed() {
            lock.lock();
            try {
                // what was received stays readable; anything beyond it fails
                closed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void fail() {
            fail("connection closed");
        }

        private void fail(String why) {
            lock.lock();
            try {
                if (failure == null) {
                    failure = why;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        private void signal() {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        // ---- caller side ----

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, buffer.length);
            if (length == 0) {
                return 0;
            }
            boolean resume = false;
            int n = 0;
            lock.lock();
            try {
                long deadline = System.nanoTime() + WAIT_NANOS;
                while (inbound.isEmpty()) {
                    if (failure != null || released) {
                        throw new IOException("stream failed: " + (released ? "pipe closed" : failure));
                    }
                    if (eof) {
                        return -1;
                    }
                    if (closed) {
                        throw new IOException("stream closed before the peer finished sending");
                    }
                    await(deadline, "no data");
                }
                while (n < length && !inbound.isEmpty()) {
                    ByteBuf head = inbound.peek();
                    int take = Math.min(length - n, head.readableBytes());
                    head.readBytes(buffer, offset + n, take);
                    n += take;
                    if (!head.isReadable()) {
                        inbound.poll().release();
                    }
                }
                buffered -= n;
                if (readPaused && buffered < INBOUND_HIGH / 2) {
                    readPaused = false;
                    resume = true;
                }
            } finally {
                lock.unlock();
            }
            if (resume) {
                channel.read();
            }
            return n;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, buffer.length);
            QuicStreamChannel ch = channel;
            lock.lock();
            try {
                long deadline = System.nanoTime() + WAIT_NANOS;
                // Netty's back-pressure: wait for writability (quiche's stream capacity), and bound
                // what is handed to Netty but not yet taken, since writability lags behind writes
                // issued from this thread
                while (!ch.isWritable() || (inFlight > 0 && inFlight + length > OUTBOUND_HIGH)) {
                    checkWritable();
                    await(deadline, "no stream capacity");
                }
                checkWritable();
                inFlight += length;
            } finally {
                lock.unlock();
            }
            ByteBuf data = ch.alloc().directBuffer(length);
            data.writeBytes(buffer, offset, length);
            ch.writeAndFlush(data).addListener(f -> {
                lock.lock();
                try {
                    inFlight -= length;
                    if (!f.isSuccess() && failure == null) {
                        failure = "write failed: " + f.cause();
                    }
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            });
        }

        private void checkWritable() throws IOException {
            if (outputClosed) {
                throw new IOException("output closed");
            }
            if (failure != null || closed) {
                throw new IOException("stream failed: " + (failure != null ? failure : "closed"));
            }
        }

        private void await(long deadline, String what) throws IOException {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException(what + " within " + TimeUnit.NANOSECONDS.toSeconds(WAIT_NANOS) + " s");
            }
            try {
                changed.awaitNanos(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
        }

        @Override
        public void flush() throws IOException {
            // every write is flushed; report a failed stream here as a buffered stream would
            lock.lock();
            try {
                if (failure != null) {
                    throw new IOException("stream failed: " + failure);
                }
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void closeOutput() throws IOException {
            lock.lock();
            try {
                if (outputClosed) {
                    return;
                }
                outputClosed = true;
            } finally {
                lock.unlock();
            }
            // a FIN through the write path queues behind unsent data; shutdownOutput() would not
            channel.writeAndFlush(QuicStreamFrame.EMPTY_FIN);
        }

        @Override
        public void close() {
            boolean finished;
            lock.lock();
            try {
                if (released) {
                    return;
                }
                released = true;
                finished = eof && outputClosed;
                inbound.forEach(ByteBuf::release);
                inbound.clear();
                buffered = 0;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            open.remove(this);
            QuicStreamChannel ch = channel;
            if (ch != null && ch.isOpen() && !finished) {
                // given up half way: RESET_STREAM and STOP_SENDING, then release the channel
                ch.shutdown(1).addListener(f -> ch.close());
            }
        }
    }

    /** Retry (address validation) off, as in the provider: no extra round trip per handshake. */
    private static final class NoRetry implements QuicTokenHandler {
        static final NoRetry INSTANCE = new NoRetry();

        @Override
        public boolean writeToken(ByteBuf out, ByteBuf dcid, InetSocketAddress address) {
            return false;
        }

        @Override
        public int validateToken(ByteBuf token, InetSocketAddress address) {
            return 0;
        }

        @Override
        public int maxTokenLength() {
            return 0;
        }
    }

    /** The baseline client accepts any server certificate (a plain app would pin or check a CA). */
    private static final class TrustAll extends X509ExtendedTrustManager {
        static final TrustAll INSTANCE = new TrustAll();

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
