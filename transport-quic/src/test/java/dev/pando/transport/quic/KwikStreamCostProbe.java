package dev.pando.transport.quic;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.TransportContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;

/**
 * The per-stream cost of the "quic" provider next to raw kwik, with the benchmark's stream shape
 * (open, write 1 KiB, half-close, read the echo to its end, close), the two interleaved round by
 * round on one warm connection each. Not a unit test (it measures): run it by hand while changing
 * the stream path, e.g. under JFR. Arguments: rounds streamsPerRound [pando-only] [fresh] (fresh: new transports and
 * connections every round, as in the benchmark's small runs).
 */
final class KwikStreamCostProbe {
    private static final String ECHO = "pando/echo/1";
    private static final int SIZE = 1025;
    private static final java.util.concurrent.atomic.AtomicLong PROGRESS = new java.util.concurrent.atomic.AtomicLong();

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        int perRound = Integer.parseInt(args[1]);
        java.util.List<String> flags = Arrays.asList(args).subList(2, args.length);
        boolean pandoOnly = flags.contains("pando-only");
        boolean fresh = flags.contains("fresh");
        ExecutorService echoes = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "probe-echo");
            t.setDaemon(true);
            return t;
        });
        // raw kwik has no deadlines: a run that makes no progress for 30 s (kwik's stall) ends the probe
        Thread watchdog = new Thread(() -> {
            long seen = -1;
            while (true) {
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    return;
                }
                long now = PROGRESS.get();
                if (now == seen) {
                    System.out.println("no progress for 30 s (kwik's stall?): giving up");
                    Runtime.getRuntime().halt(3);
                }
                seen = now;
            }
        }, "probe-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        ProviderOptions options = ProviderOptions.of("bind", "127.0.0.1:0", "stream_timeout", "20s");
        double[] rawMicros = new double[rounds];
        double[] pandoMicros = new double[rounds];
        double[] rawCpu = new double[rounds];
        double[] pandoCpu = new double[rounds];
        double[] rawSwitches = new double[rounds];
        double[] pandoSwitches = new double[rounds];
        try {
            if (fresh) {
                // like the benchmark's small runs: a fresh server and client (and their pools) per round
                for (int r = 0; r < rounds; r++) {
                    try (Pair pair = new Pair(options, echoes)) {
                        measure(pair, r, perRound, pandoOnly, rawMicros, pandoMicros, rawCpu, pandoCpu, rawSwitches, pandoSwitches);
                    }
                }
            } else {
                try (Pair pair = new Pair(options, echoes)) {
                    for (int r = 0; r < rounds; r++) {
                        measure(pair, r, perRound, pandoOnly, rawMicros, pandoMicros, rawCpu, pandoCpu, rawSwitches, pandoSwitches);
                    }
                }
            }
        } finally {
            echoes.shutdownNow();
        }
        double rawMedian = median(rawMicros);
        double pandoMedian = median(pandoMicros);
        System.out.printf(Locale.ROOT, "%s: raw %.1f us/stream, pando %.1f us/stream, ratio %.3f (medians of %d rounds of %d)%n",
                fresh ? "fresh pairs" : "warm pair", rawMedian, pandoMedian, pandoMedian / rawMedian, rounds, perRound);
        System.out.printf(Locale.ROOT, "cpu: raw %.1f us/stream, pando %.1f us/stream, ratio %.3f%n",
                median(rawCpu), median(pandoCpu), median(pandoCpu) / median(rawCpu));
        double[] paired = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            paired[r] = pandoMicros[r] / rawMicros[r];
        }
        System.out.printf(Locale.ROOT, "paired: median of the per-round ratios %.3f; thread wake-ups (voluntary context switches) per stream: raw %.1f, pando %.1f%n",
                median(paired), median(rawSwitches), median(pandoSwitches));
    }

    /** A raw kwik server and client, and a Pando server and client, connected. */
    private static final class Pair implements AutoCloseable {
        final RawKwik.Server rawServer;
        final QuicClientConnection raw;
        final KwikTransport server;
        final KwikTransport client;
        final Connection pando;

        Pair(ProviderOptions options, ExecutorService echoes) throws Exception {
            KwikTransportProvider provider = new KwikTransportProvider();
            rawServer = new RawKwik.Server(RawKwik.Config.standard());
            raw = RawKwik.connect(rawServer.port, RawKwik.Config.standard());
            server = (KwikTransport) provider.create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT, options));
            client = (KwikTransport) provider.create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT, options));
            server.accept(ECHO, c -> serve(c, echoes));
            server.start();
            client.start();
            pando = client.dial(server.localAddress(), ECHO).get(20, TimeUnit.SECONDS);
        }

        @Override
        public void close() {
            raw.close();
            rawServer.close();
            client.close();
            server.close();
        }
    }

    /** Process CPU time (all threads: both ends of both stacks), a figure less disturbed by other load than wall time. */
    /** Voluntary context switches of all live threads of this process (Linux): thread wake-ups, not disturbed by load. */
    private static long contextSwitches() {
        long sum = 0;
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (var task : (Iterable<java.nio.file.Path>) tasks::iterator) {
                try {
                    for (String line : java.nio.file.Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            sum += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                        }
                    }
                } catch (IOException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return sum;
    }

    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    private static void measure(Pair pair, int r, int perRound, boolean pandoOnly, double[] rawMicros, double[] pandoMicros,
            double[] rawCpu, double[] pandoCpu, double[] rawSwitches, double[] pandoSwitches) throws Exception {
        byte[] request = new byte[SIZE];
        byte[] reply = new byte[SIZE];
        boolean rawFirst = r % 2 == 0;
        for (int pass = 0; pass < 2; pass++) {
            boolean doRaw = (pass == 0) == rawFirst;
            if (doRaw && pandoOnly) {
                continue;
            }
            long start = System.nanoTime();
            long cpuStart = processCpuNanos();
            long switchesStart = contextSwitches();
            for (int i = 0; i < perRound; i++) {
                request[0] = (byte) i;
                if (doRaw) {
                    rawStream(pair.raw, request, reply);
                } else {
                    pandoStream(pair.pando, request, reply);
                }
                if (reply[0] != (byte) i) {
                    throw new IllegalStateException("wrong echo");
                }
                PROGRESS.incrementAndGet();
            }
            (doRaw ? rawMicros : pandoMicros)[r] = (System.nanoTime() - start) / 1e3 / perRound;
            (doRaw ? rawCpu : pandoCpu)[r] = (processCpuNanos() - cpuStart) / 1e3 / perRound;
            (doRaw ? rawSwitches : pandoSwitches)[r] = (contextSwitches() - switchesStart) / (double) perRound;
        }
    }

    private static void rawStream(QuicClientConnection c, byte[] request, byte[] reply) throws IOException {
        QuicStream s = c.createStream(true);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        out.write(request);
        out.close();
        int done = 0;
        while (done < reply.length) {
            int n = in.read(reply, done, reply.length - done);
            if (n < 0) {
                throw new IOException("short echo");
            }
            done += n;
        }
        if (in.read() != -1) {
            throw new IOException("long echo");
        }
    }

    private static void pandoStream(Connection c, byte[] request, byte[] reply) throws Exception {
        try (DuplexStream s = c.openStream().get(60, TimeUnit.SECONDS)) {
            s.write(request);
            s.closeOutput();
            s.readFully(reply, 0, reply.length);
            if (s.read(reply, 0, 1) != -1) {
                throw new IOException("long echo");
            }
        }
    }

    private static void serve(Connection c, ExecutorService echoes) {
        c.acceptStream().whenComplete((s, failure) -> {
            if (s == null) {
                return;
            }
            echoes.execute(() -> {
                byte[] buf = new byte[64 * 1024];
                try (s) {
                    int n;
                    while ((n = s.read(buf, 0, buf.length)) >= 0) {
                        s.write(buf, 0, n);
                    }
                    s.closeOutput();
                } catch (RuntimeException e) {
                    // the client went away
                }
            });
            serve(c, echoes);
        });
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private KwikStreamCostProbe() {}
}
