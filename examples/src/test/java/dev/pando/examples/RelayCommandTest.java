package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.transport.relay.RelayTransportProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code pando relay} in-process: its two lines, two nodes talking through it by node id, its usage errors. */
@Timeout(120)
class RelayCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void twoNodesThatKnowOnlyEachOthersIdAndTheRelayUrlExchangeAStream() throws Exception {
        try (Running relay = Running.start("relay", "--port", "0", "--metrics", "--io-threads", "2")) {
            JsonNode first = relay.line(0);
            String url = first.get("relay").asText();
            assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+/");
            assertThat(first.get("tls").asBoolean()).isFalse();
            assertThat(first.get("health").asText()).isEqualTo(url + "health");
            assertThat(first.get("metrics").asText()).isEqualTo(url + "metrics");
            assertThat(httpGet(URI.create(url), "/health")).startsWith("HTTP/1.1 200").endsWith("ok\n");

            List<Transport> transports = new ArrayList<>();
            try {
                Transport a = relayTransport(url, transports);
                Transport b = relayTransport(url, transports);
                b.accept("pando/relay-command-test/1", c -> c.acceptStream().thenAccept(s -> {
                    byte[] got = new byte[5];
                    int n = 0;
                    while (n < 5) {
                        n += s.read(got, n, 5 - n);
                    }
                    s.write(new StringBuilder(new String(got, StandardCharsets.UTF_8)).reverse().toString().getBytes(StandardCharsets.UTF_8));
                    s.closeOutput();
                }));
                a.start();
                b.start();
                // what a knows of b: its id and the relay URL (b's address text is exactly that)
                assertThat(b.localAddress().toText()).isEqualTo(b.localAddress().nodeId().hex() + "@;relay=" + url);
                Connection c = a.dial(dev.pando.NodeAddress.parse(b.localAddress().toText()), "pando/relay-command-test/1")
                        .get(60, TimeUnit.SECONDS);
                assertThat(c.remoteNodeId()).isEqualTo(b.localAddress().nodeId());
                DuplexStream s = c.openStream().get(60, TimeUnit.SECONDS);
                s.write("hello".getBytes(StandardCharsets.UTF_8));
                s.closeOutput();
                assertThat(new String(s.inputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("olleh");
            } finally {
                transports.forEach(Transport::close);
            }
            assertThat(httpGet(URI.create(url), "/metrics")).contains("pando_relay_packets_forwarded_total");

            JsonNode summary = relay.stop();
            assertThat(summary.get("stopped").asText()).isEqualTo("stdin closed");
            assertThat(summary.get("connections").asLong()).isGreaterThanOrEqualTo(2);
            assertThat(summary.get("packets_forwarded").asLong()).isPositive();
            assertThat(summary.get("bytes_forwarded").asLong()).isPositive();
            assertThat(summary.get("drops").has("receiver_slow")).isTrue();
            assertThat(summary.get("closes").has("auth_failed")).isTrue();
            assertThat(relay.lines()).isEqualTo(2);
        }
    }

    @Test
    void aSignalStopsItWithASummary() {
        try (Running relay = Running.start("relay", "--port", "0", "--until-signal")) {
            assertThat(relay.line(0).get("metrics").isNull()).isTrue();
            relay.closeStdin(); // ignored with --until-signal
            JsonNode summary = relay.signal();
            assertThat(summary.get("stopped").asText()).isEqualTo("signal");
            assertThat(summary.get("clients").asLong()).isZero();
        }
    }

    @Test
    void usageErrorsAndAPortInUse() throws IOException {
        Cli.Result half = Cli.run("relay", "--port", "0", "--tls-cert", "cert.pem");
        assertThat(half.exit()).isEqualTo(2);
        assertThat(half.field("error")).isEqualTo("Usage");
        assertThat(half.field("message")).contains("--tls-cert and --tls-key go together");

        assertThat(Cli.run("relay", "--port", "70000").exit()).isEqualTo(2);
        assertThat(Cli.run("relay", "--io-threads", "0").field("message")).contains("--io-threads");
        assertThat(Cli.run("relay", "--bind", "example.org").field("message")).contains("IP address literal");

        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Cli.Result busy = Cli.run("relay", "--port", String.valueOf(taken.getLocalPort()));
            assertThat(busy.exit()).isEqualTo(1);
            assertThat(busy.field("error")).isEqualTo("Configuration");
        }
    }

    private static Transport relayTransport(String url, List<Transport> transports) {
        Transport t = new RelayTransportProvider().create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT,
                ProviderOptions.of("relay_url", url)));
        transports.add(t);
        return t;
    }

    private static String httpGet(URI relay, String path) throws IOException {
        try (Socket s = new Socket(relay.getHost(), relay.getPort())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A long-running command on its own thread, with a stdin the test ends and a stdout it reads meanwhile. */
    private static final class Running implements AutoCloseable {
        private final StringBuffer out = new StringBuffer();
        private final StringWriter err = new StringWriter();
        private final CountDownLatch stdinOpen = new CountDownLatch(1);
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();
        private final List<Thread> hooks = new ArrayList<>();
        private boolean fired;

        static Running start(String... args) {
            Running r = new Running(args);
            await().atMost(Duration.ofSeconds(60)).until(() -> r.out.indexOf("\n") >= 0 || r.exit.isDone());
            return r;
        }

        private Running(String... args) {
            InputStream stdin = new InputStream() {
                @Override
                public int read() throws IOException {
                    try {
                        stdinOpen.await();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    return -1;
                }
            };
            Writer sink = new Writer() {
                @Override
                public void write(char[] cbuf, int off, int len) {
                    out.append(cbuf, off, len);
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            ShutdownHooks signals = new ShutdownHooks() {
                @Override
                public void add(Thread hook) {
                    synchronized (hooks) {
                        hooks.add(hook);
                    }
                }

                @Override
                public void remove(Thread hook) {
                    synchronized (hooks) {
                        if (fired) {
                            throw new IllegalStateException("shutdown in progress");
                        }
                        hooks.remove(hook);
                    }
                }
            };
            Thread t = new Thread(() -> {
                try {
                    exit.complete(Pando.run(args, stdin, signals, sink, err));
                } catch (Throwable e) {
                    exit.completeExceptionally(e);
                }
            }, "test-relay-command");
            t.setDaemon(true);
            t.start();
        }

        JsonNode line(int index) {
            String[] lines = out.toString().split("\n");
            if (lines.length <= index) {
                throw new AssertionError("no line " + index + " in <" + out + "> " + err);
            }
            try {
                return MAPPER.readTree(lines[index]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        long lines() {
            return out.chars().filter(c -> c == '\n').count();
        }

        void closeStdin() {
            stdinOpen.countDown();
        }

        JsonNode stop() {
            closeStdin();
            return summary();
        }

        JsonNode signal() {
            synchronized (hooks) {
                fired = true;
                hooks.forEach(Thread::start);
            }
            return summary();
        }

        private JsonNode summary() {
            int code;
            try {
                code = exit.get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new AssertionError("the relay did not end: " + out + " " + err, e);
            }
            assertThat(code).as("exit code; stdout %s stderr %s", out, err).isZero();
            return line(1);
        }

        @Override
        public void close() {
            signal0();
            closeStdin();
            exit.orTimeout(60, TimeUnit.SECONDS).exceptionally(e -> -1).join();
        }

        private void signal0() {
            synchronized (hooks) {
                if (!fired) {
                    fired = true;
                    hooks.forEach(Thread::start);
                }
            }
        }
    }
}
