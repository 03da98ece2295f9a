package dev.pando.benchmarks;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.node.ProviderRegistry;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.spi.TransportProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A Pando {@link TransportProvider} found by name with the node's {@link ProviderRegistry}, each end a transport
 * with its own identity, bound to 127.0.0.1:0. The timed handshake is
 * {@code dial(address, protocol)} from a freshly started client transport: the QUIC and TLS
 * handshake, the check of the server's identity certificate, the client's identity proof on the
 * auth stream and the OPEN_CONNECTION round trip of the protocol. Starting the client transport
 * (its certificate, socket and threads) is not timed.
 */
final class TransportPandoStack implements TransportStack {
    static final String PROTOCOL = "pando/bench/1";
    private static final NetworkId NETWORK = NetworkId.named("pando-transport-benchmark");

    private final TransportProvider provider;
    private final ExecutorService workers;

    TransportPandoStack(String providerName, ExecutorService workers) {
        this.provider = find(providerName);
        this.workers = workers;
    }

    static TransportProvider find(String name) {
        // the node's rules: unique names, an unknown one fails listing what was found
        return ProviderRegistry.load().transport(name);
    }

    @Override
    public String name() {
        return provider.name().replace('-', '_');
    }

    private Transport create() {
        // the benchmark's watchdog decides what a stall is; the stream deadline only backs it up
        ProviderOptions options = ProviderOptions.of("bind", "127.0.0.1:0", "stream_timeout", "60s");
        return provider.create(new TransportContext(PrivateKey.generate(), NETWORK, options));
    }

    @Override
    public Server startServer() {
        Transport server = create();
        server.accept(PROTOCOL, this::serveStreams);
        server.start();
        NodeAddress local = server.localAddress();
        InetSocketAddress bound = local.directAddresses().get(0);
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort());
        return new Server() {
            @Override
            public InetSocketAddress address() {
                return address;
            }

            @Override
            public Client connect(InetSocketAddress via) {
                Transport client = create();
                try {
                    client.start();
                    NodeAddress target = via.equals(address) ? local : local.withDirectAddresses(List.of(via));
                    long start = System.nanoTime();
                    Connection connection = client.dial(target, PROTOCOL).get(30, TimeUnit.SECONDS);
                    long handshake = System.nanoTime() - start;
                    return new PandoClient(client, connection, handshake);
                } catch (Exception e) {
                    client.close();
                    throw e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException
                            ? new IllegalStateException("dial failed: " + e.getCause(), e.getCause())
                            : new IllegalStateException("dial failed: " + e, e);
                }
            }

            @Override
            public void close() {
                server.close();
            }
        };
    }

    /** Serves every stream the remote opens, one worker each; acceptStream's callbacks must not block. */
    private void serveStreams(Connection connection) {
        connection.acceptStream().whenComplete((stream, failure) -> {
            if (stream == null) {
                return; // closed
            }
            try {
                workers.execute(() -> TransportStack.serve(new StreamPipe(stream)));
            } catch (RuntimeException e) {
                stream.abort();
                return;
            }
            serveStreams(connection);
        });
    }

    private static final class PandoClient implements Client {
        private final Transport transport;
        private final Connection connection;
        private final long handshakeNanos;

        PandoClient(Transport transport, Connection connection, long handshakeNanos) {
            this.transport = transport;
            this.connection = connection;
            this.handshakeNanos = handshakeNanos;
        }

        @Override
        public long handshakeNanos() {
            return handshakeNanos;
        }

        @Override
        public Pipe openStream() throws Exception {
            return new StreamPipe(connection.openStream().get(30, TimeUnit.SECONDS));
        }

        @Override
        public void close() {
            transport.close();
        }
    }

    private static final class StreamPipe implements Pipe {
        private final DuplexStream stream;

        StreamPipe(DuplexStream stream) {
            this.stream = stream;
            stream.timeout(Duration.ofSeconds(60));
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            return stream.read(buffer, offset, length);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) {
            stream.write(buffer, offset, length);
        }

        @Override
        public void flush() {
            stream.flush();
        }

        @Override
        public void closeOutput() {
            stream.closeOutput();
        }

        @Override
        public void close() {
            stream.close();
        }
    }
}
