package dev.pando.benchmarks;

import dev.pando.TopicId;
import dev.pando.node.MessageStream;
import dev.pando.node.Node;
import dev.pando.node.TopicMessage;
import dev.pando.node.TopicSubscription;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code benchmarks/run latency}: publish-to-delivery latency between two nodes on loopback
 * (quic-netty, plumtree, memory stores): node A publishes paced at 100/s, node B's
 * {@link MessageStream} reads them; the latency of each is from {@code publish} (which stores it
 * first) to B's stream returning it. Prints p50, p99 and max, how many arrived live and how many by
 * sync, and beside them the loopback round trip of the same transport measured as the time of an
 * empty {@code syncWith} (a session with nothing to send). Usage:
 * {@code LiveLatencyBenchmark [--quick] [--messages N]}.
 */
public final class LiveLatencyBenchmark {
    private LiveLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> argList = Arrays.asList(args);
        boolean quick = argList.contains("--quick");
        int n = quick ? 100 : 1000;
        int at = argList.indexOf("--messages");
        if (at >= 0 && at + 1 < args.length) {
            n = Integer.parseInt(args[at + 1]);
        }
        TopicId topic = TopicId.named("benchmark/latency");
        System.out.printf("# latency: %d messages paced at 100/s, two nodes over quic-netty + plumtree on loopback, load %s%n",
                n, Files.readString(Path.of("/proc/loadavg")).trim());
        try (Node a = Node.builder().bind(new InetSocketAddress("127.0.0.1", 0)).build().start();
             Node b = Node.builder().bind(new InetSocketAddress("127.0.0.1", 0)).peer(a.address()).build().start()) {
            TopicSubscription ta = a.subscribe(topic);
            TopicSubscription tb = b.subscribe(topic);
            MessageStream stream = tb.messages();
            ta.ready().get(60, TimeUnit.SECONDS);
            tb.ready().get(60, TimeUnit.SECONDS);
            // an empty session: the transport's round trips plus the protocol's work
            long s0 = System.nanoTime();
            tb.syncWith(a.id()).get(60, TimeUnit.SECONDS);
            double emptySyncMs = (System.nanoTime() - s0) / 1e6;

            long[] sentAt = new long[n];
            double[] latencies = new double[n];
            int live = 0;
            int synced = 0;
            Thread publisher = new Thread(() -> {
                long start = System.nanoTime();
                for (int i = 0; i < sentAt.length; i++) {
                    long due = start + i * 10_000_000L;
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                    sentAt[i] = System.nanoTime();
                    ta.publish(ByteBuffer.allocate(4).putInt(i).array());
                }
            }, "latency-publisher");
            publisher.start();
            for (int got = 0; got < n; ) {
                Optional<TopicMessage> m = stream.poll(Duration.ofSeconds(60));
                if (m.isEmpty()) {
                    throw new IllegalStateException("only " + got + " of " + n + " messages arrived");
                }
                if (m.get() instanceof TopicMessage.Stored s) {
                    int i = ByteBuffer.wrap(s.payload()).getInt();
                    latencies[got++] = (System.nanoTime() - sentAt[i]) / 1e6;
                    if (s.source() == TopicMessage.Source.LIVE) {
                        live++;
                    } else {
                        synced++;
                    }
                }
            }
            publisher.join();
            Arrays.sort(latencies);
            System.out.println(new Figure("live_latency_p50", latencies[n / 2], 0, "ms").line());
            System.out.println(new Figure("live_latency_p99", latencies[(int) Math.min(n - 1, Math.ceil(n * 0.99) - 1)], 0, "ms").line());
            System.out.println(new Figure("live_latency_max", latencies[n - 1], 0, "ms").line());
            System.out.println(new Figure("live_empty_sync", emptySyncMs, 0, "ms").line());
            System.out.printf("# %d arrived live, %d by sync%n", live, synced);
        }
    }
}
