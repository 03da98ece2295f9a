package dev.pando.transport.quic.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pando.ConfigurationException;
import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.transport.quic.core.QuicOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Options, lifecycle rules, idle timeout and keep-alive, and the stream limits. */
class QuicNettyLifecycleTest {
    static final String P = "pando/test/1";
    private final List<Transport> transports = new ArrayList<>();

    @AfterEach
    void close() {
        transports.forEach(Transport::close);
    }

    private QuicNettyTransport transport(String... options) {
        ProviderOptions o = ProviderOptions.of("bind", "127.0.0.1:0");
        for (int i = 0; i < options.length; i += 2) {
            o = o.with(options[i], options[i + 1]);
        }
        Transport t = new QuicNettyTransportProvider().create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT, o));
        transports.add(t);
        return (QuicNettyTransport) t;
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    @Test
    void providerNameAndServiceFile() throws Exception {
        assertThat(new QuicNettyTransportProvider().name()).isEqualTo("quic-netty");
        try (var in = QuicNettyTransportProvider.class.getResourceAsStream("/META-INF/services/dev.pando.spi.TransportProvider")) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes()).trim()).isEqualTo(QuicNettyTransportProvider.class.getName());
        }
    }

    @Test
    void badOptionsAreConfigurationErrorsAtCreate() {
        for (String[] bad : new String[][] {
            {"bind", "localhost:0"}, {"bind", "127.0.0.1"}, {"bind", "127.0.0.1:70000"}, {"idle_timeout", "0s"},
            {"handshake_timeout", "soon"}, {"keep_alive", "30s"}, {"max_streams_per_connection", "0"},
            {"accept_queue", "-1"}, {"max_connections", "x"}, {"io_threads", "0"}}) {
            assertThatThrownBy(() -> transport(bad)).as("%s=%s", bad[0], bad[1]).isInstanceOf(ConfigurationException.class)
                    .hasMessageContaining(bad[0]);
        }
        assertThat(QuicOptions.parse(ProviderOptions.of("bind", "[::1]:4433")).bind().getPort()).isEqualTo(4433);
    }

    @Test
    void lifecycleRules() {
        QuicNettyTransport t = transport();
        assertThatThrownBy(t::localAddress).isInstanceOf(IllegalStateException.class);
        t.accept(P, c -> { });
        assertThatThrownBy(() -> t.accept(P, c -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> t.accept("Not A Name", c -> { })).isInstanceOf(IllegalArgumentException.class);
        t.start();
        assertThatThrownBy(t::start).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> t.accept("pando/late/1", c -> { })).isInstanceOf(IllegalStateException.class);
        assertThat(t.localAddress().directAddresses()).hasSize(1);
        assertThat(t.localAddress().directAddresses().get(0).getPort()).isPositive();
        assertThatThrownBy(() -> get(t.dial(t.localAddress(), P))).cause().isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> get(t.dial(t.localAddress(), "bad name"))).cause().isInstanceOf(IllegalArgumentException.class);
        t.close();
        t.close();
        // a transport closed before it started releases nothing and stays closed
        QuicNettyTransport never = transport();
        never.close();
        assertThatThrownBy(never::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    @Timeout(60)
    void unusedConnectionsIdleOutAndUsedOnesAreKeptAlive() throws Exception {
        LinkedBlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        QuicNettyTransport server = transport("idle_timeout", "2s", "keep_alive", "200ms");
        server.accept(P, accepted::add);
        server.start();
        QuicNettyTransport client = transport("idle_timeout", "2s", "keep_alive", "200ms");
        client.start();

        Connection c = get(client.dial(server.localAddress(), P));
        Connection s = accepted.poll(20, TimeUnit.SECONDS);
        assertThat(s).isNotNull();
        // in use: keep-alives hold it open across several idle timeouts
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> c.isOpen() && client.linkCount() == 1);
        CompletableFuture<DuplexStream> in = s.acceptStream();
        DuplexStream out = get(c.openStream());
        out.write(new byte[] {5});
        out.closeOutput();
        assertThat(get(in).inputStream().readAllBytes()).containsExactly(5);

        // unused on both sides: the QUIC idle timeout closes it, and both sides notice
        c.close();
        s.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> client.linkCount() == 0 && server.linkCount() == 0);
        assertThat(c.closed().toCompletableFuture().isDone()).isTrue();
        // and a new dial makes a new one
        assertThat(get(client.dial(server.localAddress(), P)).isOpen()).isTrue();
    }

    @Test
    @Timeout(60)
    void aFullAcceptQueueRefusesFurtherStreams() throws Exception {
        LinkedBlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        QuicNettyTransport server = transport("accept_queue", "2");
        server.accept(P, accepted::add);
        server.start();
        QuicNettyTransport client = transport();
        client.start();
        Connection c = get(client.dial(server.localAddress(), P));
        List<DuplexStream> streams = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            DuplexStream s = get(c.openStream());
            streams.add(s);
            try {
                s.write(new byte[] {(byte) i});
            } catch (ConnectionClosedException e) {
                // the preamble alone was enough for the acceptor to refuse it
            }
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> server.counters().getOrDefault("streams_refused_queue_full", 0L) == 3L);
        // refused streams were reset (reads fail, typed); queued ones just have nothing to read yet
        java.util.Set<Integer> queued = new java.util.HashSet<>();
        for (int i = 0; i < 5; i++) {
            DuplexStream s = streams.get(i);
            s.timeout(Duration.ofMillis(300));
            try {
                s.read(new byte[1], 0, 1);
            } catch (DeadlineExceededException e) {
                queued.add(i);
            } catch (ConnectionClosedException e) {
                // refused
            }
        }
        assertThat(queued).hasSize(2);
        Connection sc = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(sc).isNotNull();
        java.util.Set<Integer> received = new java.util.HashSet<>();
        for (int i = 0; i < 2; i++) {
            DuplexStream s = get(sc.acceptStream());
            byte[] b = new byte[1];
            s.readFully(b, 0, 1);
            received.add((int) b[0]);
        }
        assertThat(received).isEqualTo(queued);
    }

    @Test
    @Timeout(60)
    void openStreamWaitsForThePeersStreamLimit() throws Exception {
        LinkedBlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        QuicNettyTransport server = transport("max_streams_per_connection", "3");
        server.accept(P, accepted::add);
        server.start();
        QuicNettyTransport client = transport("stream_timeout", "2s");
        client.start();
        Connection c = get(client.dial(server.localAddress(), P));
        Connection sc = accepted.poll(10, TimeUnit.SECONDS);
        assertThat(sc).isNotNull();

        // the auth and OPEN_CONNECTION streams are done; three may be open at once
        List<DuplexStream> open = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            DuplexStream s = get(c.openStream());
            s.write(new byte[] {1});
            open.add(s);
        }
        CompletableFuture<DuplexStream> fourth = c.openStream();
        assertThatThrownBy(() -> fourth.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(DeadlineExceededException.class);

        // finish one stream on both sides: the peer grants another
        CompletableFuture<DuplexStream> fifth = c.openStream();
        open.forEach(DuplexStream::closeOutput);
        DuplexStream one = get(sc.acceptStream());
        assertThat(one.inputStream().readAllBytes()).containsExactly(1);
        one.closeOutput();
        assertThat(get(fifth)).isNotNull();
    }
}
