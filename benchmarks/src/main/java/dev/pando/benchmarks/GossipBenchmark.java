package dev.pando.benchmarks;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import dev.pando.node.ProviderRegistry;
import dev.pando.spi.Gossip;
import dev.pando.spi.GossipContext;
import dev.pando.spi.GossipListener;
import dev.pando.spi.GossipProvider;
import dev.pando.spi.GossipTopic;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.spi.TransportProvider;
import dev.pando.testkit.support.FloodGossipProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Gossip over real transports: {@code nodes} nodes in one JVM, each with its own "quic-netty"
 * transport on 127.0.0.1 and its own gossip service, one topic, 1 KiB messages from one sender.
 * <ul>
 *   <li>{@code throughput}: messages sent as fast as the overlay delivers them, at most
 *       {@code window} not yet delivered everywhere; messages per second delivered to every node,
 *       and whether every node got every message;</li>
 *   <li>{@code paced}: 50 messages a second; delivery latency p50 and p99 over every (message,
 *       receiver), from the send to the receiver's listener, on one machine's clock.</li>
 * </ul>
 * Usage: {@code GossipBenchmark [--quick] [--provider plumtree] [--nodes 10] [--messages 20000]
 * [--paced-seconds 20] [--window 500]}.
 */
public final class GossipBenchmark {
    private static final NetworkId NETWORK = NetworkId.named("pando-gossip-benchmark");
    private static final TopicId TOPIC = TopicId.named("pando-gossip-benchmark");
    private static final int MESSAGE_BYTES = 1024;

    private GossipBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String providerName = "plumtree";
        String transportName = "quic-netty";
        int nodes = 10;
        int messages = 20_000;
        int pacedSeconds = 20;
        int window = 500;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> {
                    messages = 1_000;
                    pacedSeconds = 3;
                }
                case "--provider" -> providerName = args[++i];
                case "--transport" -> transportName = args[++i];
                case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--paced-seconds" -> pacedSeconds = Integer.parseInt(args[++i]);
                case "--window" -> window = Integer.parseInt(args[++i]);
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        ProviderRegistry registry = ProviderRegistry.builder().gossip(new FloodGossipProvider()).build();
        GossipProvider gossipProvider = registry.gossip(providerName);
        TransportProvider transportProvider = registry.transport(transportName);
        String prefix = "gossip_" + providerName + "_" + transportName.replace('-', '_') + "_" + nodes;
        List<Member> members = new ArrayList<>();
        try {
            for (int i = 0; i < nodes; i++) {
                members.add(new Member(gossipProvider, transportProvider, i, nodes, messages + 50 * pacedSeconds + 1000));
            }
            // a chain of contacts through the first node: each joins through it and the one before
            for (int i = 0; i < nodes; i++) {
                List<NodeAddress> known = new ArrayList<>();
                if (i > 0) {
                    known.add(members.get(0).address());
                }
                if (i > 1) {
                    known.add(members.get(i - 1).address());
                }
                members.get(i).join(known);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!connected(members)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the overlay did not form within 60 s");
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            Member sender = members.get(0);
            List<Member> receivers = members.subList(1, members.size());
            System.out.printf(Locale.ROOT, "# %s over %s: %d nodes, %d-byte messages%n", providerName, transportName, nodes, MESSAGE_BYTES);

            // warm-up (JIT, tree)
            int next = sendWindowed(sender, receivers, 0, Math.min(500, messages), window);

            // throughput
            long start = System.nanoTime();
            int end = sendWindowed(sender, receivers, next, messages, window);
            double seconds = (System.nanoTime() - start) / 1e9;
            long complete = 0;
            for (int m = next; m < end; m++) {
                if (everyoneHas(receivers, m)) {
                    complete++;
                }
            }
            double rate = (end - next) / seconds;
            System.out.printf(Locale.ROOT, "RESULT %s_throughput %.0f msgs/s%n", prefix, rate);
            System.out.printf(Locale.ROOT, "RESULT %s_throughput_delivery %.2f %% (%d of %d messages to every node)%n", prefix,
                    100.0 * complete / (end - next), complete, end - next);
            System.out.printf(Locale.ROOT, "GOAL %s_throughput %.0f >= 1500 %s%n", prefix, rate,
                    rate >= 1500 && complete == end - next ? "met" : "not met");

            // paced
            int first = end;
            int count = 50 * pacedSeconds;
            long t0 = System.nanoTime();
            for (int k = 0; k < count; k++) {
                long due = t0 + k * 20_000_000L;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                sender.send(first + k);
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!allDelivered(receivers, first, first + count) && System.nanoTime() < until) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            List<Long> latencies = new ArrayList<>();
            long missing = 0;
            for (Member r : receivers) {
                for (int m = first; m < first + count; m++) {
                    long at = r.deliveredAt.get(m);
                    if (at == 0) {
                        missing++;
                    } else {
                        latencies.add(at - sender.sentAt.get(m));
                    }
                }
            }
            latencies.sort(null);
            double p50 = percentile(latencies, 0.5) / 1e6;
            double p99 = percentile(latencies, 0.99) / 1e6;
            System.out.printf(Locale.ROOT, "RESULT %s_paced50_p50 %.2f ms%n", prefix, p50);
            System.out.printf(Locale.ROOT, "RESULT %s_paced50_p99 %.2f ms%n", prefix, p99);
            System.out.printf(Locale.ROOT, "RESULT %s_paced50_missed %d of %d deliveries%n", prefix, missing,
                    (long) count * receivers.size());
            System.out.printf(Locale.ROOT, "GOAL %s_paced50_p99 %.2f <= 20 %s%n", prefix, p99, p99 <= 20 && missing == 0 ? "met" : "not met");
            sender.gossip.counters().ifPresent(c -> System.out.println("# sender counters: " + c));
            double received = 0;
            double delivered = 0;
            for (Member m : members) {
                var c = m.gossip.counters();
                if (c.isPresent()) {
                    received += c.get().received();
                    delivered += c.get().delivered();
                }
            }
            if (delivered > 0) {
                System.out.printf(Locale.ROOT, "RESULT %s_rmr %.3f ratio (payload copies received per delivery - 1, whole run)%n",
                        prefix, received / delivered - 1);
            }
        } finally {
            for (Member m : members) {
                m.close();
            }
        }
    }

    /** Sends messages {@code from}..{@code to}-1, never more than {@code window} ahead of full delivery. */
    private static int sendWindowed(Member sender, List<Member> receivers, int from, int to, int window) {
        int complete = from;
        long stallDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int m = from; m < to; m++) {
            while (m - complete >= window) {
                if (everyoneHas(receivers, complete)) {
                    complete++;
                    stallDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                } else if (System.nanoTime() > stallDeadline) {
                    // message lost for good: count it as such and go on
                    complete++;
                } else {
                    LockSupport.parkNanos(50_000);
                }
            }
            sender.send(m);
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!allDelivered(receivers, complete, to) && System.nanoTime() < end) {
            LockSupport.parkNanos(100_000);
        }
        return to;
    }

    private static boolean allDelivered(List<Member> receivers, int from, int to) {
        for (int m = from; m < to; m++) {
            if (!everyoneHas(receivers, m)) {
                return false;
            }
        }
        return true;
    }

    private static boolean everyoneHas(List<Member> receivers, int m) {
        for (Member r : receivers) {
            if (r.deliveredAt.get(m) == 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean connected(List<Member> members) {
        Set<PublicKey> reached = ConcurrentHashMap.newKeySet();
        List<Member> todo = new ArrayList<>(List.of(members.get(0)));
        reached.add(members.get(0).id);
        while (!todo.isEmpty()) {
            Member m = todo.remove(todo.size() - 1);
            for (PublicKey n : m.neighbours) {
                for (Member o : members) {
                    if (o.id.equals(n) && reached.add(n)) {
                        todo.add(o);
                    }
                }
            }
        }
        return reached.size() == members.size();
    }

    private static long percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(i, sorted.size() - 1)));
    }

    /** One node: a transport, a gossip service, the topic, and when each message reached it. */
    private static final class Member implements GossipListener {
        final PublicKey id;
        final Transport transport;
        final Gossip gossip;
        final AtomicLongArray deliveredAt;
        final AtomicLongArray sentAt;
        final Set<PublicKey> neighbours = ConcurrentHashMap.newKeySet();
        GossipTopic topic;

        Member(GossipProvider gossipProvider, TransportProvider transportProvider, int index, int nodes, int capacity) {
            PrivateKey key = PrivateKey.generate();
            this.id = key.publicKey();
            this.transport = transportProvider.create(new TransportContext(key, NETWORK,
                    ProviderOptions.of("bind", "127.0.0.1:0", "stream_timeout", "60s"), NodeServices.system()));
            // a sender of 1,500 msgs/s with 10 nodes needs more than the default inbound bound per peer
            ProviderOptions options = gossipProvider.optionKeys().contains("inbound_frames_per_second")
                    ? ProviderOptions.of("inbound_frames_per_second", "100000") : ProviderOptions.empty();
            this.gossip = gossipProvider.create(new GossipContext(id, NETWORK, transport, options, NodeServices.system()));
            this.deliveredAt = new AtomicLongArray(capacity);
            this.sentAt = new AtomicLongArray(capacity);
            gossip.start();
            transport.start();
        }

        NodeAddress address() {
            NodeAddress a = transport.localAddress();
            InetSocketAddress bound = a.directAddresses().get(0);
            return a.withDirectAddresses(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort())));
        }

        void join(List<NodeAddress> known) {
            topic = gossip.join(TOPIC, known, this);
        }

        void send(int number) {
            byte[] payload = new byte[MESSAGE_BYTES];
            ByteBuffer.wrap(payload).putInt(number);
            sentAt.set(number, System.nanoTime());
            topic.broadcast(payload);
        }

        @Override
        public void received(byte[] message, PublicKey deliveredFrom) {
            long now = System.nanoTime();
            int number = ByteBuffer.wrap(message).getInt();
            if (number >= 0 && number < deliveredAt.length()) {
                deliveredAt.compareAndSet(number, 0, now);
            }
        }

        @Override
        public void neighbourUp(PublicKey peer) {
            neighbours.add(peer);
        }

        @Override
        public void neighbourDown(PublicKey peer) {
            neighbours.remove(peer);
        }

        void close() {
            gossip.close();
            transport.close();
        }
    }
}
