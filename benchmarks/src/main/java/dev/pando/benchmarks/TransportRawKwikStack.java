package dev.pando.benchmarks;

import dev.pando.PrivateKey;
import dev.pando.spi.NodeCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.log.BaseLogger;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ApplicationProtocolConnectionFactory;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ServerConnector;

/**
 * kwik's own API with no Pando code in between, configured as Pando's "quic" provider configures
 * it (QUIC-NOTES.md): own UDP sockets on 127.0.0.1, stateless retry off, 1 MiB stream windows, a
 * 4 MiB connection window, 100 peer-initiated bidirectional streams, 30 s idle timeout, an EC P-256
 * self-signed certificate that the client does not check. The timed handshake is
 * {@code QuicClientConnection.connect()}: QUIC and TLS only, no identity proof.
 */
final class TransportRawKwikStack implements TransportStack {
    static final String ALPN = "pando-bench-raw";
    private static final long STREAM_WINDOW = 1L << 20;
    private static final long CONNECTION_WINDOW = 4L << 20;
    private static final int MAX_STREAMS = 100;
    private static final Duration IDLE = Duration.ofSeconds(30);

    private final ExecutorService workers;

    TransportRawKwikStack(ExecutorService workers) {
        this.workers = workers;
    }

    @Override
    public String name() {
        return "raw_kwik";
    }

    @Override
    public Server startServer() throws Exception {
        NodeCertificate certificate = NodeCertificate.create(PrivateKey.generate());
        char[] password = new char[0];
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("key", certificate.keyPair().getPrivate(), password, new Certificate[] {certificate.certificate()});
        ServerConnectionConfig config = ServerConnectionConfig.builder()
                .maxIdleTimeout((int) IDLE.toMillis())
                .maxOpenPeerInitiatedBidirectionalStreams(MAX_STREAMS)
                .maxOpenPeerInitiatedUnidirectionalStreams(0)
                .maxBidirectionalStreamBufferSize(STREAM_WINDOW)
                .maxUnidirectionalStreamBufferSize(STREAM_WINDOW)
                .maxConnectionBufferSize(CONNECTION_WINDOW)
                .retryRequired(false)
                .build();
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ServerConnector connector;
        try {
            connector = ServerConnector.builder()
                    .withSocket(socket)
                    // the key was not made by SunEC's KeyStore path: name the curve explicitly
                    .withKeyStore(keys, "key", password, "secp256r1")
                    .withConfiguration(config)
                    .withLogger(new Silent())
                    .build();
        } catch (Exception e) {
            socket.close();
            throw e;
        }
        connector.registerApplicationProtocol(ALPN, new ApplicationProtocolConnectionFactory() {
            @Override
            public ApplicationProtocolConnection createConnection(String protocol, QuicConnection connection) {
                return new ApplicationProtocolConnection() {
                    @Override
                    public void acceptPeerInitiatedStream(QuicStream stream) {
                        // called on kwik's connection thread: serve elsewhere
                        workers.execute(() -> TransportStack.serve(new StreamPipe(stream)));
                    }
                };
            }

            @Override
            public int maxConcurrentPeerInitiatedBidirectionalStreams() {
                return MAX_STREAMS;
            }
        });
        connector.start();
        int port = socket.getLocalPort();
        return new Server() {
            @Override
            public InetSocketAddress address() {
                return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            }

            @Override
            public Client connect(InetSocketAddress via) throws Exception {
                QuicClientConnection connection = QuicClientConnection.newBuilder()
                        .uri(new URI("https", null, via.getAddress().getHostAddress(), via.getPort(), null, null, null))
                        .applicationProtocol(ALPN)
                        .noServerCertificateCheck()
                        .connectTimeout(Duration.ofSeconds(10))
                        .maxIdleTimeout(IDLE)
                        .defaultStreamReceiveBufferSize(STREAM_WINDOW)
                        .maxOpenPeerInitiatedBidirectionalStreams(MAX_STREAMS)
                        .maxOpenPeerInitiatedUnidirectionalStreams(0)
                        .socketFactory(destination -> new DatagramSocket(
                                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
                        .logger(new Silent())
                        .build();
                long start = System.nanoTime();
                try {
                    connection.connect();
                } catch (IOException e) {
                    connection.close();
                    throw e;
                }
                return new KwikClient(connection, System.nanoTime() - start);
            }

            @Override
            public void close() {
                connector.close();
            }
        };
    }

    private static final class KwikClient implements Client {
        private final QuicClientConnection connection;
        private final long handshakeNanos;
        private final Set<StreamPipe> open = ConcurrentHashMap.newKeySet();

        KwikClient(QuicClientConnection connection, long handshakeNanos) {
            this.connection = connection;
            this.handshakeNanos = handshakeNanos;
        }

        @Override
        public long handshakeNanos() {
            return handshakeNanos;
        }

        @Override
        public Pipe openStream() throws IOException {
            StreamPipe pipe = new StreamPipe(connection.createStream(true)) {
                @Override
                public void close() {
                    super.close();
                    open.remove(this);
                }
            };
            open.add(pipe);
            return pipe;
        }

        @Override
        public void close() {
            // closing the connection alone leaves kwik's blocked stream reads waiting: abort them too
            open.forEach(StreamPipe::abort);
            connection.close();
        }
    }

    private static class StreamPipe implements Pipe {
        private final QuicStream stream;
        private final InputStream in;
        private final OutputStream out;
        private boolean inputDone;
        private boolean outputDone;

        StreamPipe(QuicStream stream) {
            this.stream = stream;
            this.in = stream.getInputStream();
            this.out = stream.getOutputStream();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = in.read(buffer, offset, length);
            if (n < 0) {
                inputDone = true;
            }
            return n;
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            out.write(buffer, offset, length);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void closeOutput() throws IOException {
            out.close();
            outputDone = true;
        }

        void abort() {
            stream.abortReading(0);
            stream.resetStream(0);
        }

        @Override
        public void close() {
            // kwik releases a stream once its output is closed and its input read to the end
            if (!outputDone) {
                stream.resetStream(0);
            }
            if (!inputDone) {
                stream.abortReading(0);
            }
        }
    }

    /** kwik insists on a logger; the baseline does no logging work, as Pando's "quic" at info level. */
    private static final class Silent extends BaseLogger {
        Silent() {
            logWarning(false);
            logInfo(false);
        }

        @Override
        protected void log(String message) {
            // discarded
        }

        @Override
        protected void log(String message, Throwable ex) {
            // discarded
        }

        @Override
        protected void logWithHexDump(String message, byte[] data, int length) {
            // discarded
        }

        @Override
        protected void logWithHexDump(String message, ByteBuffer data, int offset, int length) {
            // discarded
        }
    }
}
