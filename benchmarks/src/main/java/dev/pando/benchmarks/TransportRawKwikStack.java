package dev.pando.benchmarks;

import dev.pando.PrivateKey;
import dev.pando.transport.quic.core.NodeCertificate;
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
 * it (docs/QUIC-NOTES.md): own UDP sockets on 127.0.0.1, stateless retry off, 1 MiB stream windows, a
 * 4 MiB connection window, 100 peer-initiated bidirectional streams, 30 s idle timeout, an EC P-256
 * self-signed certificate that the client does not check. The timed handshake is
 * {@code QuicClientConnection.connect()}: QUIC and TLS only, no identity proof.
 */
final class TransportRawKwikStack implements TransportStack {
    static final String ALPN = "pando-bench-raw";
    private static final long STREAM_WINDOW = 1L << 20;
    private static final int MAX_STREAMS = 100;
    private static final Duration IDLE = Duration.ofSeconds(30);

    private final ExecutorService workers;
    private final Tuning tuning;

    TransportRawKwikStack(ExecutorService workers) {
        this(workers, Tuning.NONE);
    }

    TransportRawKwikStack(ExecutorService workers, Tuning tuning) {
        this.workers = workers;
        this.tuning = tuning;
    }

    /**
     * Changes to the configuration above, made only through kwik 0.10.8's public builders, to try
     * what avoids the stall: the client's initial RTT (the server's is fixed at 100 ms in kwik),
     * 1200-byte datagrams on the server ({@code useStrictSmallestAllowedMaximumDatagramSize}; the
     * client builder offers no such switch, kwik's default is 1252 bytes over IPv4) and the
     * receive windows (stream window; the connection window is four times it). Congestion
     * control (NewReno) and {@code max_ack_delay} cannot be chosen through the public API.
     *
     * @param initialRttMillis the client's initial RTT, or 0 for kwik's default (500 ms)
     * @param strictDatagramSize whether the server sends at most 1200-byte datagrams
     * @param streamWindow the stream receive window in bytes (connection window: 4 ×)
     */
    record Tuning(int initialRttMillis, boolean strictDatagramSize, long streamWindow) {
        static final Tuning NONE = new Tuning(0, false, STREAM_WINDOW);

        /**
         * Parses the part after {@code raw-kwik} of a stack name: {@code +irtt<ms>},
         * {@code +pkt1200}, {@code +win<KiB>k}, in any combination, e.g. {@code +irtt20+pkt1200}.
         */
        static Tuning parse(String spec) {
            Tuning t = NONE;
            for (String part : spec.split("\\+")) {
                if (part.isEmpty()) {
                    continue;
                }
                if (part.matches("irtt[1-9][0-9]*")) {
                    t = new Tuning(Integer.parseInt(part.substring(4)), t.strictDatagramSize, t.streamWindow);
                } else if (part.equals("pkt1200")) {
                    t = new Tuning(t.initialRttMillis, true, t.streamWindow);
                } else if (part.matches("win[1-9][0-9]*k")) {
                    t = new Tuning(t.initialRttMillis, t.strictDatagramSize,
                            Long.parseLong(part.substring(3, part.length() - 1)) * 1024);
                } else {
                    throw new IllegalArgumentException("unknown kwik tuning " + part + " (irtt<ms>, pkt1200, win<KiB>k)");
                }
            }
            return t;
        }

        /** The suffix of the stack's name in RESULT lines, e.g. {@code _irtt20_pkt1200}. */
        String suffix() {
            return (initialRttMillis > 0 ? "_irtt" + initialRttMillis : "")
                    + (strictDatagramSize ? "_pkt1200" : "")
                    + (streamWindow != STREAM_WINDOW ? "_win" + streamWindow / 1024 + "k" : "");
        }
    }

    @Override
    public String name() {
        return "raw_kwik" + tuning.suffix();
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
                .maxBidirectionalStreamBufferSize(tuning.streamWindow)
                .maxUnidirectionalStreamBufferSize(tuning.streamWindow)
                .maxConnectionBufferSize(4 * tuning.streamWindow)
                .useStrictSmallestAllowedMaximumDatagramSize(tuning.strictDatagramSize)
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
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
        return new Server() {
            @Override
            public InetSocketAddress address() {
                return address;
            }

            @Override
            public Client connect(InetSocketAddress via) throws Exception {
                QuicClientConnection.Builder builder = QuicClientConnection.newBuilder();
                if (tuning.initialRttMillis > 0) {
                    builder.initialRtt(tuning.initialRttMillis);
                }
                QuicClientConnection connection = builder
                        .uri(new URI("https", null, via.getAddress().getHostAddress(), via.getPort(), null, null, null))
                        .applicationProtocol(ALPN)
                        .noServerCertificateCheck()
                        .connectTimeout(Duration.ofSeconds(10))
                        .maxIdleTimeout(IDLE)
                        .defaultStreamReceiveBufferSize(tuning.streamWindow)
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

    /**
     * For stall reports: what kwik knows about a raw-kwik client's connection — its public
     * statistics (packets sent, packets it declared lost, RTT estimates) and, read by reflection,
     * the send state of each open stream (send requests queued, unsent bytes buffered) and the
     * congestion controller (window, bytes in flight). The reflective part needs
     * {@code --add-opens} of kwik's {@code impl}, {@code send}, {@code cc} and {@code stream}
     * packages to this module ({@code benchmarks/programs} passes them to {@code rtt}); without
     * them it says so. Empty for clients of other stacks.
     */
    static java.util.Optional<String> diagnose(Client client) {
        return client instanceof KwikClient k ? java.util.Optional.of(k.diagnose()) : java.util.Optional.empty();
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

        String diagnose() {
            tech.kwik.core.Statistics stats = connection.getStats();
            StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT,
                    "client sent %d packets, declared %d lost; smoothed RTT %d ms, latest %d ms",
                    stats.packetsSent(), stats.lostPackets(), stats.smoothedRtt(), stats.latestRtt()));
            try {
                Object cc = field(field(connection, "sender"), "congestionController");
                b.append("; congestion window ").append(field(cc, "congestionWindow"))
                        .append(" B, in flight ").append(field(cc, "bytesInFlight")).append(" B");
                for (StreamPipe pipe : open) {
                    Object out = field(pipe.stream, "outputStream");
                    b.append("; stream ").append(pipe.stream.getStreamId())
                            .append(": send requests queued ").append(field(out, "sendRequestsQueued"))
                            .append(", unsent bytes buffered ").append(field(field(out, "sendBuffer"), "bufferedBytes"));
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                b.append("; kwik internals not readable (").append(e.getClass().getSimpleName()).append(')');
            }
            return b.toString();
        }

        private static Object field(Object o, String name) throws ReflectiveOperationException {
            for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
                try {
                    java.lang.reflect.Field f = c.getDeclaredField(name);
                    f.setAccessible(true);
                    return f.get(o);
                } catch (NoSuchFieldException e) {
                    // declared in a superclass
                }
            }
            throw new NoSuchFieldException(name);
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
