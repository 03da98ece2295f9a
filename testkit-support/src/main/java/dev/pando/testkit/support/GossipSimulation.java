package dev.pando.testkit.support;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import dev.pando.spi.EventSink;
import dev.pando.spi.Gossip;
import dev.pando.spi.GossipContext;
import dev.pando.spi.GossipCounters;
import dev.pando.spi.GossipListener;
import dev.pando.spi.GossipProvider;
import dev.pando.spi.GossipTopic;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.TransportContext;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * Many gossip nodes in one JVM on a {@link MemoryNetwork} and a virtual clock, for measuring a
 * {@link GossipProvider}: every node has its own transport and gossip service and joins one
 * topic; the simulation broadcasts rounds of messages and reports, per round, the relative message
 * redundancy (RMR), the last delivery hop (LDH), the deliveries missed and the delivery latency
 * ({@link GossipRound}). Between rounds it can churn nodes (a share leaves, as many new ones join)
 * and split the network in two and heal it.
 *
 * <p><b>Time.</b> The providers get a scheduler on a {@link ManualClock} and an executor the
 * simulation watches. Links add latency, jitter and loss (each loss delays a write by a
 * retransmission delay, as on a reliable stream) on that clock. The simulation runs every thread
 * until nothing can happen without time moving, then moves the clock straight to the next
 * scheduled task: a minute of virtual time with nothing to do takes no real time, and latencies are
 * exact on the virtual clock. Node keys, link delays and losses, the choice of contacts, senders
 * and churn come from the seed; what a provider draws itself comes from its own options (give it a
 * seed there to repeat a run) and the order in which threads run between two moves of the clock
 * is the JVM's.
 *
 * <p>Not thread-safe: one thread drives a simulation. JUnit-free, for tests and benchmarks alike.
 */
public final class GossipSimulation implements AutoCloseable {
    private static final TopicId TOPIC = TopicId.named("pando/gossip-simulation");
    private static final NetworkId NETWORK = NetworkId.named("pando/gossip-simulation");

    private final GossipProvider provider;
    private final Builder config;
    private final SimulationRuntime runtime;
    private final MemoryNetwork network = MemoryNetwork.create();
    private final Links links;
    private final SplittableRandom random;
    private final List<SimNode> nodes = new ArrayList<>();
    private final Map<PublicKey, SimNode> byId = new ConcurrentHashMap<>();
    private final Map<PublicKey, Integer> group = new ConcurrentHashMap<>();
    private long nextMessage;

    private GossipSimulation(GossipProvider provider, Builder b) {
        this.provider = provider;
        this.config = b;
        this.runtime = new SimulationRuntime(b.settleLimit);
        this.links = new Links(b.seed, b.latency, b.jitter, b.loss, b.retransmissionDelay);
        this.random = new SplittableRandom(b.seed);
    }

    public static Builder builder(GossipProvider provider) {
        return new Builder(Objects.requireNonNull(provider, "provider"));
    }

    /** Configures a {@link GossipSimulation}. */
    public static final class Builder {
        private final GossipProvider provider;
        private long seed = 1;
        private Duration latency = Duration.ofMillis(10);
        private Duration jitter = Duration.ZERO;
        private double loss;
        private Duration retransmissionDelay = Duration.ofMillis(200);
        private IntFunction<ProviderOptions> options = i -> ProviderOptions.empty();
        private int contacts = 3;
        private Duration joinInterval = Duration.ofMillis(100);
        private int messageBytes = 64;
        private Duration settleLimit = Duration.ofSeconds(120);

        private Builder(GossipProvider provider) {
            this.provider = provider;
        }

        /** The seed of keys, link delays, losses and every choice the simulation makes; default 1. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** One-way latency of every link; default 10 ms. */
        public Builder latency(Duration latency) {
            this.latency = nonNegative(latency, "latency");
            return this;
        }

        /** A uniform random extra delay of up to this, per write; default none. */
        public Builder jitter(Duration jitter) {
            this.jitter = nonNegative(jitter, "jitter");
            return this;
        }

        /**
         * The chance that a write is lost once (and again, independently) and resent after the
         * retransmission delay; default 0.
         */
        public Builder loss(double loss) {
            if (!(loss >= 0 && loss < 1)) {
                throw new IllegalArgumentException("loss must be in [0, 1), got " + loss);
            }
            this.loss = loss;
            return this;
        }

        /** What each loss adds to a write's delay; default 200 ms. */
        public Builder retransmissionDelay(Duration delay) {
            this.retransmissionDelay = nonNegative(delay, "retransmission delay");
            return this;
        }

        /** The gossip options of node {@code i} (e.g. a seed of the provider's own); default none. */
        public Builder options(IntFunction<ProviderOptions> options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /** How many live nodes a new node is told of when it joins (the first is told of none); default 3. */
        public Builder contacts(int contacts) {
            if (contacts < 1) {
                throw new IllegalArgumentException("contacts must be at least 1");
            }
            this.contacts = contacts;
            return this;
        }

        /** Virtual time between two nodes joining; default 100 ms. */
        public Builder joinInterval(Duration interval) {
            this.joinInterval = nonNegative(interval, "join interval");
            return this;
        }

        /** Size of each broadcast message (at least 8: it carries its number); default 64 bytes. */
        public Builder messageBytes(int bytes) {
            if (bytes < 8) {
                throw new IllegalArgumentException("messages carry an 8-byte number: at least 8 bytes, got " + bytes);
            }
            this.messageBytes = bytes;
            return this;
        }

        /** Real time the simulation may take to settle between two moves of the clock; default 120 s. */
        public Builder settleLimit(Duration limit) {
            this.settleLimit = nonNegative(limit, "settle limit");
            return this;
        }

        public GossipSimulation build() {
            return new GossipSimulation(provider, this);
        }

        private static Duration nonNegative(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative: " + d);
            }
            return d;
        }
    }

    // ---- nodes --------------------------------------------------------------------------------

    /** One simulated node. */
    private final class SimNode implements GossipListener {
        final int index;
        final PublicKey id;
        final SimulatedTransport transport;
        final Gossip gossip;
        GossipTopic topic;
        boolean live = true;
        long firstUp = -1;
        final java.util.Set<PublicKey> neighbours = ConcurrentHashMap.newKeySet();

        SimNode(int index, PrivateKey key) {
            this.index = index;
            this.id = key.publicKey();
            NodeServices services = new NodeServices(runtime, runtime, EventSink.discard());
            var inner = network.transport(new TransportContext(key, NETWORK,
                    ProviderOptions.of("stream_window", Integer.toString(16 << 20)), services));
            this.transport = new SimulatedTransport(inner, id, runtime, links, GossipSimulation.this::reachable);
            this.gossip = provider.create(new GossipContext(id, NETWORK, transport, config.options.apply(index), services));
        }

        @Override
        public void received(byte[] message, PublicKey deliveredFrom) {
            if (message.length < 8) {
                return;
            }
            long number = ByteBuffer.wrap(message).getLong();
            Map<Integer, Delivery> m = deliveries.get(number);
            SimNode from = byId.get(deliveredFrom);
            if (m != null) {
                m.putIfAbsent(index, new Delivery(from == null ? -1 : from.index, runtime.nanoTime()));
            }
        }

        @Override
        public void neighbourUp(PublicKey peer) {
            neighbours.add(peer);
            synchronized (this) {
                if (firstUp < 0) {
                    firstUp = runtime.nanoTime();
                }
            }
        }

        @Override
        public void neighbourDown(PublicKey peer) {
            neighbours.remove(peer);
        }

        synchronized long firstUp() {
            return firstUp;
        }
    }

    private record Delivery(int from, long at) {
    }

    private final Map<Long, Map<Integer, Delivery>> deliveries = new ConcurrentHashMap<>();

    private boolean reachable(PublicKey a, PublicKey b) {
        return group.getOrDefault(a, 0).equals(group.getOrDefault(b, 0));
    }

    /**
     * Adds {@code n} nodes, one every join interval: each joins the topic through up to
     * {@code contacts} random live nodes (the very first through none, as a bootstrap node).
     */
    public void addNodes(int n) {
        for (int i = 0; i < n; i++) {
            int index = nodes.size();
            byte[] seed = new byte[PrivateKey.LENGTH];
            SplittableRandom keys = new SplittableRandom(config.seed * 0x9E3779B97F4A7C15L + index);
            for (int j = 0; j < seed.length; j++) {
                seed[j] = (byte) keys.nextInt(256);
            }
            SimNode node = new SimNode(index, PrivateKey.fromBytes(seed));
            List<SimNode> live = live();
            List<NodeAddress> contacts = new ArrayList<>();
            for (SimNode c : pick(live, Math.min(config.contacts, live.size()))) {
                contacts.add(c.transport.localAddress());
            }
            nodes.add(node);
            byId.put(node.id, node);
            node.gossip.start();
            node.transport.start();
            node.topic = node.gossip.join(TOPIC, contacts, node);
            run(config.joinInterval);
        }
    }

    /** Lets {@code duration} of virtual time pass, running everything that falls due. */
    public void run(Duration duration) {
        runtime.runUntil(NetworkClock.plus(runtime.nanoTime(), duration), () -> false);
    }

    /** Nodes live now. */
    public int liveNodes() {
        return live().size();
    }

    /** Virtual time since the simulation started. */
    public Duration elapsed() {
        return Duration.ofNanos(runtime.nanoTime());
    }

    /** Live nodes with no neighbour now (isolated from the overlay). */
    public int isolatedNodes() {
        int n = 0;
        for (SimNode s : live()) {
            if (s.neighbours.isEmpty()) {
                n++;
            }
        }
        return n;
    }

    /**
     * Broadcasts {@code messages} messages, {@code interval} apart, each from the first node (if
     * {@code fixedSender}) or from a random live node, then runs until every expected delivery
     * happened or {@code deadline} of virtual time passed after the last broadcast.
     */
    public GossipRound round(int messages, boolean fixedSender, Duration interval, Duration deadline) {
        long wallStart = System.nanoTime();
        long start = runtime.nanoTime();
        Map<SimNode, GossipCounters> before = counters();
        List<long[]> sent = new ArrayList<>(); // number, sender index, time
        for (int i = 0; i < messages; i++) {
            List<SimNode> live = live();
            SimNode sender = fixedSender ? nodes.get(0) : live.get(random.nextInt(live.size()));
            if (!sender.live) {
                throw new IllegalStateException("the fixed sender (node 0) has left");
            }
            long number = nextMessage++;
            deliveries.put(number, new ConcurrentHashMap<>());
            byte[] payload = new byte[config.messageBytes];
            ByteBuffer.wrap(payload).putLong(number);
            sent.add(new long[] {number, sender.index, runtime.nanoTime()});
            sender.topic.broadcast(payload);
            if (i < messages - 1) {
                run(interval);
            }
        }
        long until = NetworkClock.plus(runtime.nanoTime(), deadline);
        runtime.runUntil(until, () -> missing(sent) == 0);
        // let duplicates and repairs in flight land before counting redundancy
        runtime.awaitQuiet();
        long expected = 0;
        long missed = 0;
        int ldh = 0;
        List<Long> latencies = new ArrayList<>();
        for (long[] s : sent) {
            Map<Integer, Delivery> got = deliveries.get(s[0]);
            for (SimNode n : live()) {
                if (expects(n, s)) {
                    expected++;
                    if (!got.containsKey(n.index)) {
                        missed++;
                    }
                }
            }
            for (Delivery d : got.values()) {
                latencies.add(d.at - s[2]);
            }
            ldh = Math.max(ldh, lastDeliveryHop(got, (int) s[1]));
        }
        double received = 0;
        double delivered = 0;
        boolean counted = true;
        for (SimNode n : live()) {
            Optional<GossipCounters> now = n.gossip.counters();
            GossipCounters then = before.get(n);
            if (now.isEmpty()) {
                counted = false;
                continue;
            }
            received += now.get().received() - (then == null ? 0 : then.received());
            delivered += now.get().delivered() - (then == null ? 0 : then.delivered());
        }
        double rmr = counted && delivered > 0 ? received / delivered - 1 : Double.NaN;
        latencies.sort(null);
        for (long[] s : sent) {
            deliveries.remove(s[0]);
        }
        return new GossipRound(messages, live().size(), expected, missed, rmr, ldh, percentile(latencies, 0.5),
                percentile(latencies, 0.99), percentile(latencies, 1.0), Duration.ofNanos(runtime.nanoTime() - start),
                Duration.ofNanos(System.nanoTime() - wallStart));
    }

    /**
     * A share of the live nodes (never the first) leaves, then as many new nodes join. Leaving
     * nodes either crash (cut off the network at once, no goodbye) or leave the topic and close.
     *
     * @return how many nodes left (and joined)
     */
    public int churn(double share, boolean crash) {
        List<SimNode> candidates = new ArrayList<>(live());
        candidates.remove(nodes.get(0));
        int k = (int) Math.round(share * live().size());
        List<SimNode> leaving = pick(candidates, Math.min(k, candidates.size()));
        for (SimNode n : leaving) {
            n.live = false;
            if (crash) {
                network.disconnect(n.id);
                n.gossip.close();
                n.transport.close();
            } else {
                n.topic.close();
                n.gossip.close();
                // the goodbyes need the link for a while
                runtime.schedule(n.transport::close, links.latency.multipliedBy(4).plusSeconds(1));
            }
        }
        addNodes(leaving.size());
        return leaving.size();
    }

    /** Splits the live nodes in two: a random {@code share} of them can no longer reach the rest. */
    public void partition(double share) {
        List<SimNode> live = live();
        List<SimNode> side = pick(live, (int) Math.round(share * live.size()));
        for (SimNode n : side) {
            group.put(n.id, 1);
        }
        for (SimNode n : live) {
            n.transport.cut();
        }
    }

    /** Ends a {@link #partition}: every node can reach every other again. */
    public void heal() {
        group.clear();
    }

    @Override
    public void close() {
        for (SimNode n : nodes) {
            if (n.live) {
                n.live = false;
                n.gossip.close();
            }
        }
        network.close();
        runtime.close();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private List<SimNode> live() {
        List<SimNode> l = new ArrayList<>();
        for (SimNode n : nodes) {
            if (n.live) {
                l.add(n);
            }
        }
        return l;
    }

    private <T> List<T> pick(List<T> from, int k) {
        List<T> copy = new ArrayList<>(from);
        for (int i = copy.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T t = copy.get(i);
            copy.set(i, copy.get(j));
            copy.set(j, t);
        }
        return new ArrayList<>(copy.subList(0, Math.min(k, copy.size())));
    }

    private boolean expects(SimNode n, long[] sent) {
        long up = n.firstUp();
        return n.index != (int) sent[1] && up >= 0 && up <= sent[2];
    }

    private long missing(List<long[]> sent) {
        long missing = 0;
        for (long[] s : sent) {
            Map<Integer, Delivery> got = deliveries.get(s[0]);
            for (SimNode n : live()) {
                if (expects(n, s) && !got.containsKey(n.index)) {
                    missing++;
                }
            }
        }
        return missing;
    }

    private Map<SimNode, GossipCounters> counters() {
        Map<SimNode, GossipCounters> m = new HashMap<>();
        for (SimNode n : live()) {
            n.gossip.counters().ifPresent(c -> m.put(n, c));
        }
        return m;
    }

    /** The most hops from the sender, following deliveredFrom back to it. */
    private static int lastDeliveryHop(Map<Integer, Delivery> got, int sender) {
        Map<Integer, Integer> hops = new HashMap<>();
        hops.put(sender, 0);
        int max = 0;
        for (Integer node : got.keySet()) {
            max = Math.max(max, hops(node, got, hops, 0));
        }
        return max;
    }

    private static int hops(int node, Map<Integer, Delivery> got, Map<Integer, Integer> hops, int depth) {
        Integer known = hops.get(node);
        if (known != null) {
            return known;
        }
        Delivery d = got.get(node);
        if (d == null || depth > got.size()) {
            return 0; // came from a node that left or an unknown one: no path to count
        }
        int h = hops(d.from, got, hops, depth + 1) + 1;
        hops.put(node, h);
        return h;
    }

    private static Duration percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return Duration.ZERO;
        }
        int i = (int) Math.ceil(p * sorted.size()) - 1;
        return Duration.ofNanos(sorted.get(Math.max(0, Math.min(i, sorted.size() - 1))));
    }

    /** Link behaviour: latency, jitter, loss, drawn from per-direction random sequences. */
    static final class Links {
        private final long seed;
        final Duration latency;
        private final Duration jitter;
        private final double loss;
        private final Duration retransmissionDelay;

        Links(long seed, Duration latency, Duration jitter, double loss, Duration retransmissionDelay) {
            this.seed = seed;
            this.latency = latency;
            this.jitter = jitter;
            this.loss = loss;
            this.retransmissionDelay = retransmissionDelay;
        }

        SplittableRandom random(PublicKey from, PublicKey to) {
            return new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * Arrays.hashCode(from.bytes()))
                    ^ (0xC2B2AE3D27D4EB4FL * Arrays.hashCode(to.bytes())));
        }

        /** The delay of one write; the caller holds the stream's lock (the random is the stream's). */
        Duration delay(SplittableRandom r) {
            long nanos = latency.toNanos();
            if (!jitter.isZero()) {
                nanos += r.nextLong(jitter.toNanos() + 1);
            }
            if (loss > 0) {
                int lost = 0;
                while (lost < 1_000 && r.nextDouble() < loss) {
                    lost++;
                }
                nanos += lost * retransmissionDelay.toNanos();
            }
            return Duration.ofNanos(nanos);
        }
    }
}
