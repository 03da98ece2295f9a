package dev.pando.testkit.support;

import dev.pando.ConnectionClosedException;
import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.spi.Connection;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.spi.TransportEvent;
import dev.pando.spi.TransportProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A simulated network in one JVM: the medium for in-memory {@link Transport}s. No sockets, no
 * threads of its own; every transport gets a synthetic address ({@code 127.0.0.1} and a port
 * allocated here, never bound) that only this network understands.
 *
 * <p>Transports of one network have the observable semantics of the QUIC transports: a dial
 * reaches the node listening at one of the address's direct addresses; a node of another network
 * id or with another node id makes the dial fail with {@link ProtocolViolationException}; so does a
 * protocol the remote does not accept; the accept handler fires once per (peer, protocol); one
 * physical connection per pair of nodes carries every protocol in both directions, and concurrent
 * dials share it. Streams have bounded windows with back-pressure, half-close, abort and deadlines.
 * Each transport reports its links ({@link TransportEvent}) to the event sink of its context: a
 * link between two nodes comes up with the first dial between them and goes down when either
 * closes or is {@linkplain #disconnect disconnected}.
 *
 * <p>Link behaviour ({@link MemoryLinkConditions}: latency, bandwidth, loss) is set network-wide or
 * per direction of a link and measured on the network's {@link NetworkClock}. With a
 * {@link ManualClock} and a fixed seed a test is deterministic: losses are drawn from one random
 * sequence per link direction, seeded from the network seed and the creation order of the two
 * transports. With the default system clock and {@link MemoryLinkConditions#PERFECT} the network
 * behaves as a fast local pipe.
 *
 * <p>{@link #disconnect(PublicKey)} unplugs a node: every connection to it fails with
 * {@link ConnectionClosedException} on the other side, and it can neither dial nor be dialed until
 * {@link #reconnect(PublicKey)}.
 *
 * <p>The testkit registers no {@link java.util.ServiceLoader} provider: a transport of this network
 * is only ever created explicitly ({@link #transport}, {@link #provider()}). Thread-safe.
 */
public final class MemoryNetwork implements AutoCloseable {
    /** The largest packet a stream write is cut into; link conditions apply per packet. */
    public static final int PACKET_SIZE = 16 * 1024;

    static final String PROVIDER_NAME = "memory";
    private static final int FIRST_PORT = 30_000;

    // one lock for the whole medium: simple to reason about, and fast enough for tests (measured:
    // a 64 MiB stream transfer and 10,000 round trips each take well under a second)
    final ReentrantLock lock = new ReentrantLock();
    final NetworkClock clock;
    private final long seed;
    private final Runnable wakeDue = this::wakeDue;
    // guarded by lock: the conditions threads are blocked on in await (with how many threads), and
    // those threads that wait for the clock to reach a time (woken by an advance of a manual clock;
    // each pipe signals its own condition otherwise, so one write wakes its reader only, not every
    // reader of the network)
    private final IdentityHashMap<Condition, int[]> awaiting = new IdentityHashMap<>();
    private final TreeSet<Waiter> timedWaiters = new TreeSet<>();
    private long waiterSequence;

    private MemoryLinkConditions defaults;
    private final Map<List<PublicKey>, MemoryLinkConditions> linkConditions = new HashMap<>();
    private final Map<List<Integer>, LinkState> linkStates = new HashMap<>();
    private final Map<InetSocketAddress, MemoryTransport> listening = new HashMap<>();
    private final Set<PublicKey> unplugged = new HashSet<>();
    private final List<MemoryLink> links = new ArrayList<>();
    private final List<MemoryTransport> transports = new ArrayList<>();
    private int transportsCreated;
    private boolean closed;
    private int nextPort = FIRST_PORT;
    private long retransmissions;

    private MemoryNetwork(Builder builder) {
        this.clock = builder.clock;
        this.seed = builder.seed;
        this.defaults = builder.conditions;
        clock.onAdvance(wakeDue);
    }

    /** A network on the system clock with perfect links. */
    public static MemoryNetwork create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Configures a {@link MemoryNetwork}. */
    public static final class Builder {
        private NetworkClock clock = NetworkClock.system();
        private long seed = 0x5EED;
        private MemoryLinkConditions conditions = MemoryLinkConditions.PERFECT;

        private Builder() {
        }

        /** The clock every delay and deadline is measured on; default {@link NetworkClock#system()}. */
        public Builder clock(NetworkClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The seed of the loss draws; default a fixed value, so runs repeat. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Conditions of every link without its own; default {@link MemoryLinkConditions#PERFECT}. */
        public Builder conditions(MemoryLinkConditions conditions) {
            this.conditions = Objects.requireNonNull(conditions, "conditions");
            return this;
        }

        public MemoryNetwork build() {
            return new MemoryNetwork(this);
        }
    }

    /** The clock of this network. */
    public NetworkClock clock() {
        return clock;
    }

    /**
     * A transport on this network with default options. Register accept handlers, then
     * {@link Transport#start() start} it; it gets its address on start.
     */
    public Transport transport(PrivateKey identity, NetworkId networkId) {
        return transport(new TransportContext(identity, networkId, ProviderOptions.empty()));
    }

    /**
     * A transport on this network. Options: {@code stream_timeout} (default 30s, each read or write
     * deadline), {@code accept_queue} (default 64 incoming streams waiting per connection; beyond,
     * new streams are aborted), {@code stream_window} (default 262144 bytes buffered per stream
     * direction, in flight or unread, before the writer blocks).
     *
     * @throws dev.pando.ConfigurationException for invalid options
     */
    public Transport transport(TransportContext context) {
        Objects.requireNonNull(context, "context");
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("this network is closed");
            }
            MemoryTransport t = new MemoryTransport(this, context, transportsCreated++);
            transports.add(t);
            return t;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A provider named {@code "memory"} whose transports join this network, for code that takes a
     * {@link TransportProvider} (e.g. a node builder given providers explicitly).
     */
    public TransportProvider provider() {
        MemoryNetwork network = this;
        return new TransportProvider() {
            @Override
            public String name() {
                return PROVIDER_NAME;
            }

            @Override
            public Set<String> optionKeys() {
                return MemoryTransport.OPTION_KEYS;
            }

            @Override
            public Transport create(TransportContext context) {
                return network.transport(context);
            }
        };
    }

    /** Sets the conditions of every link direction that has none of its own. */
    public void conditions(MemoryLinkConditions conditions) {
        Objects.requireNonNull(conditions, "conditions");
        lock.lock();
        try {
            defaults = conditions;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sets the conditions of the direction {@code from → to} between two nodes of this network
     * (call twice for both directions). Applies to packets sent from now on.
     */
    public void conditions(PublicKey from, PublicKey to, MemoryLinkConditions conditions) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(conditions, "conditions");
        lock.lock();
        try {
            linkConditions.put(List.of(from, to), conditions);
        } finally {
            lock.unlock();
        }
    }

    /** {@link #conditions(PublicKey, PublicKey, MemoryLinkConditions)} for two transports of this network. */
    public void conditions(Transport from, Transport to, MemoryLinkConditions conditions) {
        conditions(member(from).id, member(to).id, conditions);
    }

    /**
     * Unplugs a node: closes every connection it has (the other side sees
     * {@link ConnectionClosedException}) and makes dials to and from it fail until
     * {@link #reconnect}.
     */
    public void disconnect(PublicKey node) {
        Objects.requireNonNull(node, "node");
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            unplugged.add(node);
            for (MemoryLink link : List.copyOf(links)) {
                if (link.a.id.equals(node) || link.b.id.equals(node)) {
                    closeLink(link, "node " + node + " was disconnected from the network", after);
                }
            }
        } finally {
            lock.unlock();
        }
        after.forEach(Runnable::run);
    }

    /** Plugs a node unplugged by {@link #disconnect} back in. */
    public void reconnect(PublicKey node) {
        lock.lock();
        try {
            unplugged.remove(node);
        } finally {
            lock.unlock();
        }
    }

    /** The number of open physical connections between two nodes (either direction). */
    public int physicalConnections(PublicKey a, PublicKey b) {
        lock.lock();
        try {
            int n = 0;
            for (MemoryLink link : links) {
                if (link.open && (link.a.id.equals(a) && link.b.id.equals(b) || link.a.id.equals(b) && link.b.id.equals(a))) {
                    n++;
                }
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** How many packet transmissions the loss model has dropped (each delayed its packet). */
    public long retransmissions() {
        lock.lock();
        try {
            return retransmissions;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes every transport created on this network and detaches it from its clock. Idempotent;
     * no transport can be created afterwards.
     */
    @Override
    public void close() {
        List<MemoryTransport> all;
        lock.lock();
        try {
            closed = true;
            all = List.copyOf(transports);
            transports.clear();
        } finally {
            lock.unlock();
        }
        all.forEach(MemoryTransport::close);
        clock.removeOnAdvance(wakeDue);
    }

    @Override
    public String toString() {
        return "MemoryNetwork[clock=" + clock + ", seed=" + seed + "]";
    }

    // ---- used by the transport, connection and stream classes, always under the lock ----------

    private MemoryTransport member(Transport t) {
        if (t instanceof MemoryTransport m && m.network == this) {
            return m;
        }
        throw new IllegalArgumentException("not a transport of this network: " + t);
    }

    InetSocketAddress register(MemoryTransport transport) {
        lock.lock();
        try {
            InetSocketAddress address;
            try {
                address = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), nextPort++);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("a literal IPv4 address is always valid", e);
            }
            listening.put(address, transport);
            return address;
        } finally {
            lock.unlock();
        }
    }

    /** Removes a closing transport from the medium and closes all its connections. */
    void unregister(MemoryTransport transport) {
        List<Runnable> after = new ArrayList<>();
        lock.lock();
        try {
            listening.values().remove(transport);
            for (MemoryLink link : List.copyOf(links)) {
                if (link.a == transport || link.b == transport) {
                    closeLink(link, "the transport of node " + transport.id + " closed", after);
                }
            }
        } finally {
            lock.unlock();
        }
        after.forEach(Runnable::run);
    }

    CompletableFuture<Connection> dial(MemoryTransport local, NodeAddress remote, String protocol) {
        MemoryConnection localEnd;
        MemoryConnection remoteEnd;
        Consumer<Connection> handler;
        boolean fire;
        lock.lock();
        try {
            if (local.isClosed()) {
                return CompletableFuture.failedFuture(new ConnectionClosedException("transport is closed"));
            }
            if (unplugged.contains(local.id)) {
                return CompletableFuture.failedFuture(new ConnectionClosedException(
                        "node " + local.id + " is disconnected from the network"));
            }
            MemoryTransport target = null;
            for (InetSocketAddress address : remote.directAddresses()) {
                MemoryTransport t = listening.get(address);
                if (t != null && !t.isClosed() && !unplugged.contains(t.id)) {
                    target = t;
                    break;
                }
            }
            if (target == null) {
                return CompletableFuture.failedFuture(new ConnectionClosedException(
                        "no node reachable at " + remote.directAddresses()));
            }
            if (!target.networkId.equals(local.networkId)) {
                return CompletableFuture.failedFuture(new ProtocolViolationException(
                        "the node at " + remote.directAddresses() + " is on a different network id or not a Pando node"));
            }
            if (!target.id.equals(remote.nodeId())) {
                return CompletableFuture.failedFuture(new ProtocolViolationException(
                        "reached node " + target.id + ", expected " + remote.nodeId()));
            }
            handler = target.handler(protocol);
            if (handler == null) {
                return CompletableFuture.failedFuture(new ProtocolViolationException(
                        "node " + target.id + " does not accept protocol " + protocol));
            }
            MemoryLink link = null;
            for (MemoryLink l : links) {
                if (l.open && l.connects(local, target)) {
                    link = l;
                    break;
                }
            }
            if (link == null) {
                link = new MemoryLink(local, target);
                links.add(link);
                // under the lock: the events of one transport are emitted one at a time, in order
                local.events.emit(new TransportEvent.PeerConnected(target.id));
                target.events.emit(new TransportEvent.PeerConnected(local.id));
            }
            MemoryConnection[] ends = link.endpoints(protocol, this);
            localEnd = ends[link.a == local ? 0 : 1];
            remoteEnd = ends[link.a == local ? 1 : 0];
            fire = !remoteEnd.handlerFired;
            remoteEnd.handlerFired = true;
        } finally {
            lock.unlock();
        }
        if (fire) {
            MemoryConnection accepted = remoteEnd;
            MemoryTransport acceptor = remoteEnd.local;
            acceptor.callback(() -> {
                // a transport closed meanwhile takes no new connections (its link is closed too)
                if (!acceptor.isClosed()) {
                    handler.accept(accepted);
                }
            });
        }
        return CompletableFuture.completedFuture(localEnd);
    }

    /** Closes a physical connection: every protocol's connection on it, and their streams. */
    void closeLink(MemoryLink link, String reason, List<Runnable> after) {
        if (!link.open) {
            return;
        }
        link.open = false;
        links.remove(link);
        for (MemoryConnection[] ends : List.copyOf(link.protocols.values())) {
            closeConnection(ends[0], reason, after);
        }
        link.a.events.emit(new TransportEvent.PeerDisconnected(link.b.id));
        link.b.events.emit(new TransportEvent.PeerDisconnected(link.a.id));
    }

    /** Closes both ends of one protocol's connection. Futures are completed by {@code after}. */
    void closeConnection(MemoryConnection end, String reason, List<Runnable> after) {
        MemoryConnection[] pair = {end, end.peer};
        for (MemoryConnection c : pair) {
            if (!c.open) {
                continue;
            }
            c.open = false;
            for (MemoryStream s : List.copyOf(c.streams)) {
                s.abortBoth(reason);
            }
            c.streams.clear();
            for (MemoryStream s : c.incoming) {
                s.abortBoth(reason);
            }
            c.incoming.clear();
            List<CompletableFuture<?>> waiting = List.copyOf(c.waiting);
            c.waiting.clear();
            after.add(() -> {
                ConnectionClosedException e = new ConnectionClosedException("connection closed: " + reason);
                waiting.forEach(f -> f.completeExceptionally(e));
                c.closedFuture.complete(null);
            });
        }
        end.link.protocols.remove(end.protocol);
    }

    /** When a packet of {@code bytes} sent now from one node to another becomes readable. */
    long deliveryTime(MemoryTransport from, MemoryTransport to, int bytes) {
        MemoryLinkConditions c = linkConditions.getOrDefault(List.of(from.id, to.id), defaults);
        LinkState state = linkStates.computeIfAbsent(List.of(from.index, to.index), k -> new LinkState(new SplittableRandom(
                seed ^ (0x9E3779B97F4A7C15L * (from.index + 1)) ^ (0xC2B2AE3D27D4EB4FL * (to.index + 1)))));
        long now = clock.nanoTime();
        long start = Math.max(now, state.freeAt);
        long transmit = c.bandwidth() == 0 ? 0 : (bytes * 1_000_000_000L + c.bandwidth() - 1) / c.bandwidth();
        state.freeAt = start + transmit;
        long at = NetworkClock.plus(start + transmit, c.latency());
        if (c.loss() > 0) {
            int lost = 0;
            // bounded: at loss < 1 a run of 1,000 losses is practically impossible
            while (lost < 1_000 && state.random.nextDouble() < c.loss()) {
                lost++;
            }
            retransmissions += lost;
            for (int i = 0; i < lost; i++) {
                at = NetworkClock.plus(at, c.retransmissionDelay());
            }
        }
        return at;
    }

    /**
     * Waits (lock held) until {@code condition} is signalled or the clock reaches
     * {@code untilNanos} ({@link Long#MAX_VALUE}: no time limit).
     */
    void await(Condition condition, long untilNanos) {
        Waiter w = null;
        if (untilNanos != Long.MAX_VALUE) {
            w = new Waiter(untilNanos, waiterSequence++, condition);
            timedWaiters.add(w);
        }
        awaiting.computeIfAbsent(condition, c -> new int[1])[0]++;
        try {
            clock.await(condition, untilNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionClosedException("interrupted while waiting on a stream", e);
        } finally {
            if (--awaiting.get(condition)[0] == 0) {
                awaiting.remove(condition);
            }
            if (w != null) {
                timedWaiters.remove(w);
            }
        }
    }

    /**
     * Threads blocked in a read or write of this network's streams, not counting one that has been
     * signalled and not yet resumed (it is about to move: the network is not quiet).
     */
    int waitingThreads() {
        lock.lock();
        try {
            int n = 0;
            for (Condition c : awaiting.keySet()) {
                n += lock.getWaitQueueLength(c); // a signalled thread has left the condition's queue
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** After the clock moved: wakes the waiters whose time has come, and no others. */
    private void wakeDue() {
        lock.lock();
        try {
            long now = clock.nanoTime();
            Iterator<Waiter> it = timedWaiters.iterator();
            while (it.hasNext()) {
                Waiter w = it.next();
                if (w.at > now) {
                    break;
                }
                it.remove();
                w.condition.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private static final class Waiter implements Comparable<Waiter> {
        final long at;
        final long sequence;
        final Condition condition;

        Waiter(long at, long sequence, Condition condition) {
            this.at = at;
            this.sequence = sequence;
            this.condition = condition;
        }

        @Override
        public int compareTo(Waiter o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    private static final class LinkState {
        final SplittableRandom random;
        long freeAt = Long.MIN_VALUE;

        LinkState(SplittableRandom random) {
            this.random = random;
        }
    }
}
