package dev.pando.testkit.support;

import dev.pando.ConnectionClosedException;
import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.Transport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.Consumer;

/**
 * A {@link MemoryNetwork} transport as a {@link GossipSimulation} sees it: every byte written and
 * read is counted by the {@link SimulationRuntime} (so it knows when all is quiet), writes reach
 * the network after the simulated link latency and loss, measured on the simulation's virtual
 * clock, and dials across a partition fail. The memory network itself runs with perfect links.
 */
final class SimulatedTransport implements Transport {
    private final Transport inner;
    private final SimulationRuntime runtime;
    private final GossipSimulation.Links links;
    private final PublicKey self;
    // one wrapper per inner connection, so the provider sees the same object every time
    private final Map<Connection, SimConnection> wrappers = new ConcurrentHashMap<>();
    private final BiPredicate<PublicKey, PublicKey> reachable;

    SimulatedTransport(Transport inner, PublicKey self, SimulationRuntime runtime, GossipSimulation.Links links,
                       BiPredicate<PublicKey, PublicKey> reachable) {
        this.inner = inner;
        this.self = self;
        this.runtime = runtime;
        this.links = links;
        this.reachable = reachable;
    }

    @Override
    public void accept(String protocol, Consumer<Connection> handler) {
        inner.accept(protocol, c -> {
            if (!reachable.test(self, c.remoteNodeId())) {
                c.close();
                return;
            }
            handler.accept(wrap(c));
        });
    }

    @Override
    public void start() {
        inner.start();
    }

    @Override
    public NodeAddress localAddress() {
        return inner.localAddress();
    }

    @Override
    public boolean supports(NodeAddress remote) {
        return inner.supports(remote);
    }

    @Override
    public CompletableFuture<Connection> dial(NodeAddress remote, String protocol) {
        if (!reachable.test(self, remote.nodeId())) {
            return CompletableFuture.failedFuture(new ConnectionClosedException("node " + remote.nodeId() + " is across a partition"));
        }
        return inner.dial(remote, protocol).thenApply(this::wrap);
    }

    /** Closes every connection to a node this one can no longer reach. */
    void cut() {
        for (SimConnection c : wrappers.values()) {
            if (!reachable.test(self, c.remoteNodeId())) {
                c.close();
            }
        }
    }

    @Override
    public void close() {
        inner.close();
    }

    private Connection wrap(Connection c) {
        SimConnection[] created = new SimConnection[1];
        SimConnection w = wrappers.computeIfAbsent(c, k -> created[0] = new SimConnection(k));
        if (created[0] != null) {
            c.closed().whenComplete((v, e) -> {
                wrappers.remove(c, w);
                runtime.closed(self, c.remoteNodeId());
            });
        }
        return w;
    }

    private final class SimConnection implements Connection {
        private final Connection inner;

        SimConnection(Connection inner) {
            this.inner = inner;
        }

        @Override
        public PublicKey remoteNodeId() {
            return inner.remoteNodeId();
        }

        @Override
        public String protocol() {
            return inner.protocol();
        }

        @Override
        public CompletableFuture<DuplexStream> openStream() {
            return inner.openStream().thenApply(s -> new SimStream(s, remoteNodeId()));
        }

        @Override
        public CompletableFuture<DuplexStream> acceptStream() {
            return inner.acceptStream().thenApply(s -> new SimStream(s, remoteNodeId()));
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }

        @Override
        public CompletionStage<Void> closed() {
            return inner.closed();
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    /**
     * A stream whose writes are held back for the link's latency (plus a retransmission delay per
     * simulated loss), in order, and whose reads are counted.
     */
    private final class SimStream implements DuplexStream {
        private final DuplexStream inner;
        private final PublicKey remote;
        private final SplittableRandom random;
        // guarded by this
        private final ArrayDeque<byte[]> ready = new ArrayDeque<>();
        private boolean draining;
        private long lastDelivery;
        private boolean failed;

        SimStream(DuplexStream inner, PublicKey remote) {
            this.inner = inner;
            this.remote = remote;
            this.random = links.random(self, remote);
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            runtime.readStarts();
            int n = 0;
            try {
                n = inner.read(buffer, offset, length);
                return n;
            } finally {
                runtime.readEnds(remote, self, Math.max(n, 0));
            }
        }

        @Override
        public void write(byte[] buffer, int offset, int length) {
            byte[] copy = java.util.Arrays.copyOfRange(buffer, offset, offset + length);
            Duration delay;
            synchronized (this) {
                if (failed) {
                    throw new ConnectionClosedException("the simulated stream to " + remote + " failed");
                }
                long now = runtime.nanoTime();
                long at = NetworkClock.plus(now, links.delay(random));
                at = Math.max(at, lastDelivery);
                lastDelivery = at;
                delay = Duration.ofNanos(at - now);
            }
            if (delay.isZero()) {
                deliver(copy);
            } else {
                runtime.schedule(() -> deliver(copy), delay);
            }
        }

        private void deliver(byte[] bytes) {
            boolean start;
            synchronized (this) {
                if (failed) {
                    return;
                }
                ready.add(bytes);
                start = !draining;
                draining = true;
            }
            if (start) {
                runtime.execute(this::drain);
            }
        }

        private void drain() {
            while (true) {
                byte[] next;
                synchronized (this) {
                    next = ready.poll();
                    if (next == null) {
                        draining = false;
                        return;
                    }
                }
                runtime.written(self, remote, next.length);
                try {
                    inner.write(next, 0, next.length);
                    inner.flush();
                } catch (RuntimeException e) {
                    runtime.discarded(self, remote, next.length);
                    synchronized (this) {
                        failed = true;
                        ready.clear();
                        draining = false;
                    }
                    return;
                }
            }
        }

        @Override
        public void flush() {
            // writes are sent as they fall due
        }

        @Override
        public void closeOutput() {
            inner.closeOutput();
        }

        @Override
        public void abort() {
            inner.abort();
        }

        @Override
        public Duration timeout() {
            return inner.timeout();
        }

        @Override
        public void timeout(Duration timeout) {
            inner.timeout(timeout);
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
