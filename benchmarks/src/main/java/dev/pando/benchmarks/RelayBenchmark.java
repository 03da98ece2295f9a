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
import dev.pando.transport.relay.RelayServer;
import dev.pando.transport.relay.RelayServerConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code benchmarks/run relay}: the "relay" transport through a relay on loopback against direct
 * "quic-netty" in the same run, rounds alternating between the two: bulk MB/s one way, 1 KiB
 * round trips per second (and their median latency), and handshake time (a fresh client
 * transport dials; starting it is not timed). Prints RESULT lines and GOAL lines for issue 16's
 * goals (relay ≥ 50 % of direct bulk and round trips, added median latency ≤ 1 ms). Clients a
 * relay holds and memory per client: the 1,000-client test of transport-relay prints its figures.
 */
public final class RelayBenchmark {
    private static final String PROTOCOL = "pando/bench-relay/1";
    private static final NetworkId NETWORK = NetworkId.named("pando-relay-benchmark");
    private static final int ECHO = 'E';
    private static final int SINK = 'S';

    private RelayBenchmark() {
    }

    /** One side of the comparison: a server transport and a factory of client transports. */
    private record Stack(String name, Transport server, NodeAddress address, Supplier<Transport> clients) {
    }

    public static void main(String[] args) throws Exception {
        boolean quick = Arrays.asList(args).contains("--quick");
        int rounds = quick ? 1 : 3;
        int bulkMiB = quick ? 8 : 64;
        long rtMillis = quick ? 1000 : 5000;
        int handshakes = quick ? 5 : 20;
        ExecutorService workers = Executors.newCachedThreadPool();
        ProviderRegistry registry = ProviderRegistry.load();
        List<Transport> open = new ArrayList<>();
        // a relay bounded as in production but with room for a benchmark's bulk transfer
        RelayServer relay = RelayServer.create(RelayServerConfig.defaults().withRate(1L << 30, 1L << 30).withQueueBytes(4 << 20));
        relay.start();
        try {
            Supplier<Transport> direct = () -> transport(registry, "quic-netty", ProviderOptions.of("bind", "127.0.0.1:0", "stream_timeout", "60s"), open);
            Supplier<Transport> relayed = () -> transport(registry, "relay",
                    ProviderOptions.of("relay_url", relay.url().toString(), "stream_timeout", "60s"), open);
            List<Stack> stacks = List.of(stack("quic_netty", direct, workers), stack("relay", relayed, workers));

            double[][] bulk = new double[2][rounds];
            double[][] rts = new double[2][rounds];
            double[][] latency = new double[2][rounds];
            double[][] handshake = new double[2][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < 2; i++) {
                    // alternate which side goes first, so warm-up and load drift hit both alike
                    int s = (r % 2 == 0) ? i : 1 - i;
                    Stack st = stacks.get(s);
                    bulk[s][r] = bulkMBps(st, bulkMiB);
                    double[] rt = roundTrips(st, rtMillis);
                    rts[s][r] = rt[0];
                    latency[s][r] = rt[1];
                    handshake[s][r] = handshakeMs(st, handshakes);
                }
            }
            String[] names = {"quic_netty", "relay"};
            for (int s = 0; s < 2; s++) {
                result("relay_bench_" + names[s] + "_bulk", median(bulk[s]), "MB/s");
                result("relay_bench_" + names[s] + "_1k_round_trips", median(rts[s]), "rt/s");
                result("relay_bench_" + names[s] + "_1k_latency_median", median(latency[s]) * 1e6, "us");
                result("relay_bench_" + names[s] + "_handshake_median", median(handshake[s]), "ms");
            }
            double bulkRatio = median(bulk[1]) / median(bulk[0]);
            double rtRatio = median(rts[1]) / median(rts[0]);
            double added = (median(latency[1]) - median(latency[0])) * 1e6;
            result("relay_bench_bulk_ratio", bulkRatio, "x");
            result("relay_bench_round_trip_ratio", rtRatio, "x");
            result("relay_bench_added_latency_median", added, "us");
            goal("relay_bulk_ratio", bulkRatio, ">= 0.5", bulkRatio >= 0.5);
            goal("relay_round_trip_ratio", rtRatio, ">= 0.5", rtRatio >= 0.5);
            goal("relay_added_latency_us", added, "<= 1000", added <= 1000);
            System.out.printf(Locale.ROOT, "RESULT relay_bench_relay_drops %d packets%n", relay.metrics().dropped());
            relay.metrics().drops().forEach((reason, n) ->
                    System.out.printf(Locale.ROOT, "# relay drops, %s: %d packets%n", reason.name().toLowerCase(Locale.ROOT), n));
        } finally {
            for (Transport t : open) {
                t.close();
            }
            relay.close();
            workers.shutdownNow();
        }
    }

    private static Transport transport(ProviderRegistry registry, String name, ProviderOptions options, List<Transport> open) {
        Transport t = registry.transport(name).create(new TransportContext(PrivateKey.generate(), NETWORK, options));
        synchronized (open) {
            open.add(t);
        }
        return t;
    }

    private static Stack stack(String name, Supplier<Transport> factory, ExecutorService workers) {
        Transport server = factory.get();
        server.accept(PROTOCOL, c -> accept(c, workers));
        server.start();
        NodeAddress address = server.localAddress();
        if (!address.directAddresses().isEmpty()) {
            address = address.withDirectAddresses(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    address.directAddresses().get(0).getPort())));
        }
        return new Stack(name, server, address, factory);
    }

    private static void accept(Connection c, ExecutorService workers) {
        c.acceptStream().whenComplete((s, e) -> {
            if (e == null) {
                workers.execute(() -> serve(s));
                accept(c, workers);
            }
        });
    }

    private static void serve(DuplexStream s) {
        byte[] buf = new byte[64 * 1024];
        try {
            byte[] first = new byte[1];
            int mode = s.read(first, 0, 1) < 0 ? -1 : first[0];
            if (mode == ECHO) {
                for (int n; (n = s.read(buf, 0, buf.length)) >= 0; ) {
                    s.write(buf, 0, n);
                    s.flush();
                }
            } else if (mode == SINK) {
                long total = 0;
                for (int n; (n = s.read(buf, 0, buf.length)) >= 0; ) {
                    total += n;
                }
                s.write(ByteBuffer.allocate(8).putLong(total).array());
            }
            s.closeOutput();
        } catch (RuntimeException e) {
            s.abort();
        }
    }

    private static Connection dial(Transport client, Stack st) throws Exception {
        return client.dial(st.address(), PROTOCOL).get(30, TimeUnit.SECONDS);
    }

    /** One way: the time from the first byte written to the sink's count read back. */
    private static double bulkMBps(Stack st, int mib) throws Exception {
        Transport client = st.clients().get();
        client.start();
        try {
            DuplexStream s = dial(client, st).openStream().get(30, TimeUnit.SECONDS);
            byte[] chunk = new byte[64 * 1024];
            long bytes = (long) mib << 20;
            long start = System.nanoTime();
            s.write(new byte[] {SINK});
            for (long sent = 0; sent < bytes; sent += chunk.length) {
                s.write(chunk, 0, chunk.length);
            }
            s.closeOutput();
            byte[] count = s.inputStream().readNBytes(8);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (ByteBuffer.wrap(count).getLong() != bytes) {
                throw new IllegalStateException(st.name() + ": the sink counted " + ByteBuffer.wrap(count).getLong() + " of " + bytes + " bytes");
            }
            return bytes / 1e6 / seconds;
        } finally {
            client.close();
        }
    }

    /** Sequential 1 KiB echoes for {@code millis}: {round trips per second, median seconds per round trip}. */
    private static double[] roundTrips(Stack st, long millis) throws Exception {
        Transport client = st.clients().get();
        client.start();
        try {
            DuplexStream s = dial(client, st).openStream().get(30, TimeUnit.SECONDS);
            s.write(new byte[] {ECHO});
            byte[] out = new byte[1024];
            byte[] in = new byte[1024];
            List<Long> times = new ArrayList<>();
            long end = System.nanoTime() + millis * 1_000_000;
            long start = System.nanoTime();
            while (System.nanoTime() < end) {
                long t0 = System.nanoTime();
                s.write(out, 0, out.length);
                s.flush();
                int got = 0;
                while (got < in.length) {
                    int n = s.read(in, got, in.length - got);
                    if (n < 0) {
                        throw new IllegalStateException(st.name() + ": echo ended early");
                    }
                    got += n;
                }
                times.add(System.nanoTime() - t0);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            s.closeOutput();
            double[] t = times.stream().mapToDouble(x -> x / 1e9).toArray();
            return new double[] {times.size() / seconds, median(t)};
        } finally {
            client.close();
        }
    }

    /** Median dial time of fresh client transports (starting one is not timed). */
    private static double handshakeMs(Stack st, int n) throws Exception {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            Transport client = st.clients().get();
            client.start();
            try {
                long t0 = System.nanoTime();
                dial(client, st);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            } finally {
                client.close();
            }
        }
        return median(ms);
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static void result(String name, double value, String unit) {
        System.out.printf(Locale.ROOT, "RESULT %s %.3f %s%n", name, value, unit);
    }

    private static void goal(String name, double value, String target, boolean met) {
        System.out.printf(Locale.ROOT, "GOAL %s %.3f %s %s%n", name, value, target, met ? "met" : "not met");
    }
}
