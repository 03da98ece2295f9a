package dev.pando.transport.quic;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.Date;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;
import tech.kwik.core.server.ApplicationProtocolConnection;
import tech.kwik.core.server.ApplicationProtocolConnectionFactory;
import tech.kwik.core.server.ServerConnectionConfig;
import tech.kwik.core.server.ServerConnector;

/**
 * A bare kwik echo server and client, configured the way docs/QUIC-NOTES.md says kwik must be (own
 * socket, retry off, explicit windows and stream limits). Used to learn kwik's configuration and
 * by {@link KwikStallProbe} to reproduce its stall without any Pando code in the way.
 */
final class RawKwik {
    static final String ALPN = "raw-echo";

    /** Windows and limits of one run; the probe varies them. */
    /**
     * Windows and limits of one run; the probe varies them. {@code nudgeAfterWrite}: write zero
     * bytes after every write, which makes kwik queue one more send request for the stream.
     */
    record Config(long streamWindow, long connectionWindow, int maxStreams, Integer initialRttMillis,
            boolean nudgeAfterWrite) {
        static Config standard() {
            return new Config(1 << 20, 4 << 20, 100, null, false);
        }
    }

    private static final byte[] NOTHING = new byte[0];

    static void write(OutputStream out, byte[] b, int off, int len, Config config) throws IOException {
        out.write(b, off, len);
        if (config.nudgeAfterWrite()) {
            out.write(NOTHING);
        }
    }

    static KeyStore selfSignedKeyStore() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        long now = System.currentTimeMillis();
        X500Name name = new X500Name("CN=raw-echo");
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now), new Date(now - 3_600_000),
                        new Date(now + 86_400_000), name, kp.getPublic())
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("key", kp.getPrivate(), "pw".toCharArray(), new X509Certificate[] {cert});
        return ks;
    }

    /** An echo server: every stream's bytes are written back until the client closes its output. */
    static final class Server implements AutoCloseable {
        final ServerConnector connector;
        final int port;
        /** The streams the server echoes on, for the probe's diagnosis of a stall. */
        final java.util.List<QuicStream> streams = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.List<QuicConnection> connections = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final ExecutorService workers = Executors.newCachedThreadPool();

        Server(Config config) throws Exception {
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
            port = socket.getLocalPort();
            ServerConnectionConfig serverConfig = ServerConnectionConfig.builder()
                    .maxIdleTimeoutInSeconds(30)
                    .maxOpenPeerInitiatedBidirectionalStreams(config.maxStreams())
                    .maxOpenPeerInitiatedUnidirectionalStreams(0)
                    .maxBidirectionalStreamBufferSize(config.streamWindow())
                    .maxUnidirectionalStreamBufferSize(config.streamWindow())
                    .maxConnectionBufferSize(config.connectionWindow())
                    .retryRequired(false)
                    .build();
            connector = ServerConnector.builder()
                    .withSocket(socket)
                    .withKeyStore(selfSignedKeyStore(), "key", "pw".toCharArray(), "secp256r1")
                    .withConfiguration(serverConfig)
                    .withLogger(new KwikLogger())
                    .build();
            connector.registerApplicationProtocol(ALPN, new ApplicationProtocolConnectionFactory() {
                @Override
                public ApplicationProtocolConnection createConnection(String protocol, QuicConnection c) {
                    connections.add(c);
                    return new ApplicationProtocolConnection() {
                        @Override
                        public void acceptPeerInitiatedStream(QuicStream stream) {
                            streams.add(stream);
                            workers.execute(() -> echo(stream, config));
                        }
                    };
                }

                @Override
                public int maxConcurrentPeerInitiatedBidirectionalStreams() {
                    return config.maxStreams();
                }
            });
            connector.start();
        }

        private static void echo(QuicStream stream, Config config) {
            byte[] buf = new byte[16384];
            try (InputStream in = stream.getInputStream(); OutputStream out = stream.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    write(out, buf, 0, n, config);
                }
            } catch (IOException e) {
                // the client went away; nothing to echo to
            }
        }

        @Override
        public void close() {
            connector.close();
            workers.shutdownNow();
        }
    }

    static QuicClientConnection connect(int port, Config config) throws IOException {
        QuicClientConnection.Builder b = QuicClientConnection.newBuilder()
                .uri(java.net.URI.create("https://127.0.0.1:" + port))
                .applicationProtocol(ALPN)
                .noServerCertificateCheck()
                .connectTimeout(Duration.ofSeconds(5))
                .maxIdleTimeout(Duration.ofSeconds(30))
                .defaultStreamReceiveBufferSize(config.streamWindow())
                .maxOpenPeerInitiatedBidirectionalStreams(config.maxStreams())
                .maxOpenPeerInitiatedUnidirectionalStreams(0)
                .socketFactory(address -> new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)))
                .logger(new KwikLogger());
        if (config.initialRttMillis() != null) {
            b.initialRtt(config.initialRttMillis());
        }
        QuicClientConnection c = b.build();
        c.connect();
        return c;
    }

    private RawKwik() {}
}
