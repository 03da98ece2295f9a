package dev.pando.discovery.bootstrap;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import dev.pando.spi.Cancellable;
import dev.pando.spi.Connection;
import dev.pando.spi.Discovery;
import dev.pando.spi.DiscoveryContext;
import dev.pando.spi.DiscoveryEvent;
import dev.pando.spi.DiscoverySigner;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.EventSink;
import dev.pando.spi.PeerAffinity;
import dev.pando.spi.Scheduler;
import dev.pando.spi.Transport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running "bootstrap" discovery: asks its bootstrap peers, then walks a few steps through the
 * records it learns, every {@code walk_interval}; serves the same exchange to anyone who asks.
 * Every record it keeps verified under its owner's key; every table is bounded.
 */
final class BootstrapDiscovery implements Discovery {
    private static final Logger LOG = LoggerFactory.getLogger(BootstrapDiscovery.class);

    private final PublicKey self;
    private final NetworkId network;
    private final BootstrapOptions options;
    private final Transport transport;
    private final DiscoverySigner signer;
    private final PeerAffinity affinity;
    private final Scheduler scheduler;
    private final Executor executor;
    private final EventSink sink;
    private final SecureRandom random = new SecureRandom();
    private final BootstrapCounters counters = new BootstrapCounters();
    private final Semaphore serving;
    private final AtomicBoolean walking = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();

    /** Guards everything below, and orders the events emitted. */
    private final Object lock = new Object();
    private State state = State.NEW;
    private NodeAddress ownAddress;
    private PeerRecord ownRecord;
    private Cancellable timer;
    /** The newest verified record of each node, at most {@code max_peers}. */
    private final Map<PublicKey, PeerRecord> known = new LinkedHashMap<>();
    /** The address last reported for each node (a subset of {@link #known}'s keys). */
    private final Map<PublicKey, NodeAddress> reported = new LinkedHashMap<>();
    private final Map<PublicKey, Redial> redials = new LinkedHashMap<>();
    private final Map<PublicKey, Bucket> buckets = new LinkedHashMap<>(16, 0.75f, true);
    /** Nodes that said goodbye, with when (ms): older records of theirs are not taken back. At most {@code max_peers}. */
    private final Map<PublicKey, Long> departed = new LinkedHashMap<>();

    private enum State { NEW, STARTED, CLOSED }

    /** The backoff of one configured bootstrap peer. */
    private static final class Redial {
        /** This node's record was sent to it (the request may still be under way): it is owed a goodbye. */
        boolean told;
        int failures;
        long notBeforeNanos;
    }

    /** A token bucket: {@code requests_per_minute} requests, a burst of a quarter of them (at least 2). */
    private static final class Bucket {
        double tokens;
        long lastNanos;
    }

    BootstrapDiscovery(DiscoveryContext context, BootstrapOptions options) {
        this.self = context.nodeId();
        this.network = context.networkId();
        this.options = options;
        this.transport = context.transport().orElseThrow();
        this.signer = context.signer().orElseThrow();
        this.affinity = context.affinity();
        this.scheduler = context.services().scheduler();
        this.executor = context.services().executor();
        this.sink = context.services().events();
        this.serving = new Semaphore(options.maxServing());
        for (NodeAddress p : options.peers()) {
            if (!p.nodeId().equals(self)) {
                redials.put(p.nodeId(), new Redial());
            }
        }
        transport.accept(PeerExchangeWire.PROTOCOL, this::serve);
    }

    BootstrapCounters counters() {
        return counters;
    }

    /** The records held now (for tests and status). */
    List<PeerRecord> records() {
        synchronized (lock) {
            return List.copyOf(known.values());
        }
    }

    // ----------------------------------------------------------------------------------- lifecycle

    @Override
    public void start(List<NodeAddress> ownAddresses) {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("the bootstrap discovery was " + (state == State.STARTED ? "started already" : "closed"));
            }
            ownAddress = merge(ownAddresses);
            ownRecord = PeerRecord.sign(ownAddress, scheduler.now(), network, signer);
            state = State.STARTED;
        }
        scheduleRound(Duration.ZERO);
    }

    @Override
    public void addressesChanged(List<NodeAddress> ownAddresses) {
        synchronized (lock) {
            if (state != State.STARTED) {
                return;
            }
            ownAddress = merge(ownAddresses);
            ownRecord = PeerRecord.sign(ownAddress, scheduler.now(), network, signer);
        }
        // tell the bootstrap peers (and whom the walk meets) now
        scheduleRound(Duration.ZERO);
    }

    /**
     * Stops, and first says goodbye to each bootstrap peer that was handed this node's record (an
     * exchange still under way included), so they forget this node instead of passing its record on
     * until it expires; an exchange not yet under way is not started any more. The goodbyes run in parallel and close
     * waits for them at most {@link #GOODBYE_WAIT} (or {@code exchange_timeout} if shorter).
     */
    @Override
    public void close() {
        List<NodeAddress> farewell = new ArrayList<>();
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            if (state == State.STARTED) {
                for (NodeAddress p : options.peers()) {
                    Redial r = redials.get(p.nodeId());
                    if (r != null && r.told) {
                        farewell.add(p);
                    }
                }
            }
            state = State.CLOSED;
            if (timer != null) {
                timer.cancel();
            }
            known.clear();
            reported.clear();
            buckets.clear();
            departed.clear();
        }
        if (!farewell.isEmpty()) {
            sayGoodbye(farewell);
        }
    }

    static final Duration GOODBYE_WAIT = Duration.ofSeconds(2);

    private void sayGoodbye(List<NodeAddress> peers) {
        PeerRecord own;
        synchronized (lock) {
            own = PeerRecord.sign(ownAddress, scheduler.now(), network, signer);
        }
        Duration wait = options.exchangeTimeout().compareTo(GOODBYE_WAIT) < 0 ? options.exchangeTimeout() : GOODBYE_WAIT;
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (NodeAddress p : peers) {
            all.add(transport.dial(p, PeerExchangeWire.PROTOCOL).thenCompose(c -> c.openStream().thenAcceptAsync(stream -> {
                try (stream) {
                    stream.timeout(wait);
                    PeerExchangeWire.writeRequest(stream, 0, own);
                    stream.closeOutput();
                    PeerExchangeWire.readResponse(stream, 0, network);
                } finally {
                    c.close();
                }
            }, executor)));
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.debug("bootstrap discovery: not every goodbye arrived: {}", e.toString());
        }
    }

    private boolean started() {
        synchronized (lock) {
            return state == State.STARTED;
        }
    }

    /** One address from the node's own: its id, every non-wildcard direct address, the first relay. */
    private NodeAddress merge(List<NodeAddress> addresses) {
        Set<InetSocketAddress> direct = new LinkedHashSet<>();
        Optional<URI> relay = Optional.empty();
        for (NodeAddress a : addresses) {
            if (!a.nodeId().equals(self)) {
                throw new IllegalArgumentException("an own address names another node: " + a.toText());
            }
            for (InetSocketAddress d : a.directAddresses()) {
                // a wildcard says nothing to a peer; the transport reports one when bound to it
                if (d.getAddress() != null && !d.getAddress().isAnyLocalAddress()) {
                    direct.add(d);
                }
            }
            if (relay.isEmpty()) {
                relay = a.relayUrl();
            }
        }
        if (direct.isEmpty() && relay.isEmpty()) {
            throw new IllegalArgumentException("no address to announce: " + addresses);
        }
        return new NodeAddress(self, new ArrayList<>(direct), relay);
    }

    /** This node's record, signed again once a tenth of its lifetime has passed. */
    /**
     * This node's record, to be sent to {@code peer}: a bootstrap peer is marked as owed a goodbye
     * first, in the same step that checks the discovery is still open, so that {@link #close()}
     * either says goodbye to it or the record is never sent.
     */
    private PeerRecord handOver(NodeAddress peer) {
        synchronized (lock) {
            if (state != State.STARTED) {
                throw new dev.pando.ConnectionClosedException("the bootstrap discovery is closed");
            }
            Redial r = redials.get(peer.nodeId());
            if (r != null) {
                r.told = true;
            }
            return ownRecord();
        }
    }

    private PeerRecord ownRecord() {
        synchronized (lock) {
            Instant now = scheduler.now();
            if (ownRecord.timestamp().plus(options.recordTtl().dividedBy(10)).isBefore(now)) {
                ownRecord = PeerRecord.sign(ownAddress, now, network, signer);
            }
            return ownRecord;
        }
    }

    // ------------------------------------------------------------------------------------ the walk

    private void scheduleRound(Duration delay) {
        synchronized (lock) {
            if (state != State.STARTED) {
                return;
            }
            if (timer != null) {
                timer.cancel();
            }
            timer = scheduler.schedule(() -> {
                try {
                    executor.execute(this::round);
                } catch (RejectedExecutionException e) {
                    LOG.debug("bootstrap discovery: executor refused a round");
                }
            }, delay);
        }
    }

    /**
     * One round: every due bootstrap peer is asked (which also hands it this node's fresh record),
     * then the walk goes up to {@code walk_depth} steps, each to a random node of the last answer.
     */
    private void round() {
        if (!walking.compareAndSet(false, true)) {
            again.set(true);
            return;
        }
        Duration next = jittered(options.walkInterval());
        try {
            if (!started()) {
                return;
            }
            expire();
            Set<PublicKey> visited = new HashSet<>();
            visited.add(self);
            List<PeerRecord> last = new ArrayList<>();
            for (NodeAddress peer : dueBootstrapPeers()) {
                visited.add(peer.nodeId());
                try {
                    last.addAll(ask(peer));
                    succeeded(peer.nodeId());
                } catch (RuntimeException e) {
                    Duration wait = failed(peer.nodeId());
                    LOG.debug("bootstrap peer {} not reached ({}); again in {}", peer.nodeId(), e.toString(), wait);
                }
            }
            if (last.isEmpty()) {
                // no bootstrap peer answered (or none is configured): start from a node already known
                last.addAll(records());
            }
            for (int step = 0; step < options.walkDepth() && started(); step++) {
                PeerRecord target = randomOf(last, visited);
                if (target == null) {
                    break;
                }
                visited.add(target.nodeId());
                last.clear();
                try {
                    last.addAll(ask(target.address()));
                } catch (RuntimeException e) {
                    LOG.debug("walk step to {} failed: {}", target.nodeId(), e.toString());
                }
            }
            Duration redial = soonestRedial();
            if (redial != null && redial.compareTo(next) < 0) {
                next = redial;
            }
        } finally {
            walking.set(false);
            scheduleRound(again.getAndSet(false) ? Duration.ZERO : next);
        }
    }

    private Duration jittered(Duration d) {
        long ms = d.toMillis();
        return Duration.ofMillis(ms * 3 / 4 + (ms > 1 ? random.nextLong(ms / 2 + 1) : 0));
    }

    private PeerRecord randomOf(List<PeerRecord> records, Set<PublicKey> visited) {
        List<PeerRecord> candidates = new ArrayList<>();
        for (PeerRecord r : records) {
            if (!visited.contains(r.nodeId()) && transport.supports(r.address())) {
                candidates.add(r);
            }
        }
        return candidates.isEmpty() ? null : candidates.get(random.nextInt(candidates.size()));
    }

    private List<NodeAddress> dueBootstrapPeers() {
        long now = scheduler.nanoTime();
        List<NodeAddress> due = new ArrayList<>();
        synchronized (lock) {
            for (NodeAddress p : options.peers()) {
                Redial r = redials.get(p.nodeId());
                if (r != null && now - r.notBeforeNanos >= 0) {
                    due.add(p);
                }
            }
        }
        Collections.shuffle(due, random);
        return due;
    }

    private void succeeded(PublicKey peer) {
        synchronized (lock) {
            Redial r = redials.get(peer);
            r.failures = 0;
            r.notBeforeNanos = scheduler.nanoTime();
        }
    }

    /** Backs off: {@code redial_min} doubling to {@code redial_max}, each delay drawn from its upper half. */
    private Duration failed(PublicKey peer) {
        synchronized (lock) {
            Redial r = redials.get(peer);
            r.failures = Math.min(r.failures + 1, 30);
            long max = options.redialMax().toMillis();
            long base = Math.min(max, options.redialMin().toMillis() << Math.min(r.failures - 1, 20));
            long delay = base / 2 + random.nextLong(base / 2 + 1);
            r.notBeforeNanos = scheduler.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay);
            return Duration.ofMillis(delay);
        }
    }

    private Duration soonestRedial() {
        long now = scheduler.nanoTime();
        Long soonest = null;
        synchronized (lock) {
            for (Redial r : redials.values()) {
                if (r.failures > 0) {
                    long wait = Math.max(0, r.notBeforeNanos - now);
                    soonest = soonest == null ? wait : Math.min(soonest, wait);
                }
            }
        }
        return soonest == null ? null : Duration.ofNanos(soonest);
    }

    // ------------------------------------------------------------------------------ asking a peer

    /**
     * One exchange as the asker: sends this node's record, reads up to {@code max_records} records
     * and learns them. Blocks up to about two exchange timeouts.
     *
     * @throws RuntimeException if the peer cannot be reached or breaks the protocol (then the
     *     connection is dropped and the rejection counted)
     */
    List<PeerRecord> ask(NodeAddress peer) {
        Connection connection;
        try {
            connection = await(transport.dial(peer, PeerExchangeWire.PROTOCOL));
        } catch (RuntimeException e) {
            counters.exchangeFailures.incrementAndGet();
            throw e;
        }
        try {
            DuplexStream stream = await(connection.openStream());
            List<PeerRecord> records;
            try (stream) {
                stream.timeout(options.exchangeTimeout());
                PeerExchangeWire.writeRequest(stream, options.maxRecords(), handOver(peer));
                stream.closeOutput();
                records = PeerExchangeWire.readResponse(stream, options.maxRecords(), network);
            }
            counters.exchangesMade.incrementAndGet();
            learn(records);
            return records;
        } catch (PeerExchangeException e) {
            counters.reject(e.rejection());
            counters.connectionsDropped.incrementAndGet();
            LOG.debug("peer exchange with {} refused: {}", peer.nodeId(), e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            counters.exchangeFailures.incrementAndGet();
            throw e;
        } finally {
            // one exchange per connection: nothing is held between rounds
            connection.close();
        }
    }

    private <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(options.exchangeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new dev.pando.ConnectionClosedException(e.getCause().toString());
        } catch (TimeoutException e) {
            future.cancel(false);
            future.thenAccept(v -> {
                if (v instanceof AutoCloseable c) {
                    try {
                        c.close();
                    } catch (Exception ignored) {
                        // already failing
                    }
                }
            });
            throw new dev.pando.DeadlineExceededException("peer exchange: no answer within " + options.exchangeTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.pando.ConnectionClosedException("interrupted");
        }
    }

    // ---------------------------------------------------------------------------- serving a peer

    private void serve(Connection connection) {
        connection.acceptStream().whenComplete((stream, error) -> {
            if (error != null) {
                return;
            }
            if (!serving.tryAcquire()) {
                counters.reject(Rejection.BUSY);
                stream.abort();
            } else {
                try {
                    executor.execute(() -> {
                        try {
                            serveOne(connection, stream);
                        } finally {
                            serving.release();
                        }
                    });
                } catch (RejectedExecutionException e) {
                    serving.release();
                    stream.abort();
                    return;
                }
            }
            serve(connection);
        });
    }

    private void serveOne(Connection connection, DuplexStream stream) {
        PublicKey peer = connection.remoteNodeId();
        try (stream) {
            if (!started()) {
                stream.abort();
                return;
            }
            if (!allow(peer)) {
                throw new PeerExchangeException(Rejection.RATE_LIMITED, peer + " asks more than " + options.requestsPerMinute()
                        + " times a minute");
            }
            stream.timeout(options.exchangeTimeout());
            PeerExchangeWire.Request request = PeerExchangeWire.readRequest(stream, network);
            if (!request.asker().nodeId().equals(peer)) {
                throw new PeerExchangeException(Rejection.WRONG_OWNER, peer + " sent the record of " + request.asker().nodeId());
            }
            if (request.wanted() == 0) {
                departed(peer, request.asker());
                PeerExchangeWire.writeResponse(stream, List.of());
                stream.closeOutput();
                return;
            }
            learn(List.of(request.asker()));
            PeerExchangeWire.writeResponse(stream, answer(peer, Math.min(request.wanted(), options.maxRecords())));
            stream.closeOutput();
            counters.exchangesServed.incrementAndGet();
        } catch (PeerExchangeException e) {
            counters.reject(e.rejection());
            counters.connectionsDropped.incrementAndGet();
            LOG.debug("peer exchange from {} refused: {}", peer, e.getMessage());
            stream.abort();
            connection.close();
        } catch (RuntimeException e) {
            counters.exchangeFailures.incrementAndGet();
            LOG.debug("peer exchange from {} failed: {}", peer, e.toString());
            stream.abort();
        }
    }

    private boolean allow(PublicKey peer) {
        long now = scheduler.nanoTime();
        double perNano = options.requestsPerMinute() / (double) TimeUnit.MINUTES.toNanos(1);
        double burst = Math.max(2, options.requestsPerMinute() / 4.0);
        synchronized (lock) {
            Bucket b = buckets.get(peer);
            if (b == null) {
                b = new Bucket();
                b.tokens = burst;
                b.lastNanos = now;
                buckets.put(peer, b);
                if (buckets.size() > 4 * options.maxPeers()) {
                    // least recently asking peer forgotten: it starts again with a full burst
                    buckets.remove(buckets.keySet().iterator().next());
                }
            }
            b.tokens = Math.min(burst, b.tokens + (now - b.lastNanos) * perNano);
            b.lastNanos = now;
            if (b.tokens < 1) {
                return false;
            }
            b.tokens -= 1;
            return true;
        }
    }

    /**
     * This node's record first, then up to {@code wanted - 1} current records of others, never the
     * asker's own: first those of the nodes the node's {@link PeerAffinity} names for the asker
     * (they share with this node a topic this node shares with the asker), a random choice of them
     * if there are more, then a random sample of the rest. The records after the first are shuffled
     * together, so their places do not tell the asker which were preferred; the choice only leans
     * towards nodes that share a topic with it, which its own topic exchange with them would tell
     * it anyway. Nothing about topics is sent.
     */
    private List<PeerRecord> answer(PublicKey asker, int wanted) {
        Set<PublicKey> near = near(asker);
        List<PeerRecord> preferred = new ArrayList<>();
        List<PeerRecord> others = new ArrayList<>();
        Instant now = scheduler.now();
        for (PeerRecord r : records()) {
            if (!r.nodeId().equals(asker) && !r.timestamp().plus(options.recordTtl()).isBefore(now)) {
                (near.contains(r.nodeId()) ? preferred : others).add(r);
            }
        }
        Collections.shuffle(preferred, random);
        Collections.shuffle(others, random);
        List<PeerRecord> picked = new ArrayList<>(Math.max(0, wanted - 1));
        int fromPreferred = Math.min(preferred.size(), Math.max(0, wanted - 1));
        picked.addAll(preferred.subList(0, fromPreferred));
        for (PeerRecord r : others) {
            if (picked.size() >= wanted - 1) {
                break;
            }
            picked.add(r);
        }
        Collections.shuffle(picked, random);
        counters.recordsPreferred.addAndGet(fromPreferred);
        List<PeerRecord> out = new ArrayList<>(wanted);
        out.add(ownRecord());
        out.addAll(picked);
        return out;
    }

    /** What the node's {@link PeerAffinity} says for {@code asker}; nobody if it fails (counted). */
    private Set<PublicKey> near(PublicKey asker) {
        try {
            Set<PublicKey> near = affinity.sharingATopicWith(asker);
            return near == null ? Set.of() : near;
        } catch (RuntimeException e) {
            counters.affinityFailures.incrementAndGet();
            LOG.debug("bootstrap discovery: the node's peer affinity failed for {}: {}", asker, e.toString());
            return Set.of();
        }
    }

    // ------------------------------------------------------------------------------- the table

    /** {@code peer} said goodbye: forget it, and refuse its records made before now. */
    private void departed(PublicKey peer, PeerRecord goodbye) {
        synchronized (lock) {
            if (state != State.STARTED) {
                return;
            }
            long at = Math.max(goodbye.timestampMillis(), scheduler.now().toEpochMilli());
            departed.remove(peer);
            departed.put(peer, at);
            if (departed.size() > options.maxPeers()) {
                departed.remove(departed.keySet().iterator().next());
            }
            if (known.remove(peer) != null) {
                forget(peer);
            }
        }
    }

    /** Keeps each verified, current record that is newer than the one held, and reports changes. */
    private void learn(List<PeerRecord> records) {
        Instant now = scheduler.now();
        synchronized (lock) {
            if (state != State.STARTED) {
                return;
            }
            for (PeerRecord r : records) {
                if (r.nodeId().equals(self)) {
                    continue;
                }
                try {
                    r.checkAge(now, options.recordTtl(), options.maxClockSkew());
                } catch (PeerExchangeException e) {
                    counters.reject(e.rejection());
                    continue;
                }
                Long left = departed.get(r.nodeId());
                if (left != null) {
                    if (r.timestampMillis() <= left) {
                        continue;
                    }
                    departed.remove(r.nodeId());
                }
                PeerRecord held = known.get(r.nodeId());
                if (held != null && held.timestampMillis() >= r.timestampMillis()) {
                    continue;
                }
                known.put(r.nodeId(), r);
                counters.recordsAccepted.incrementAndGet();
                if (known.size() > options.maxPeers()) {
                    evictOldest(r.nodeId());
                }
                if (!r.address().equals(reported.get(r.nodeId()))) {
                    reported.put(r.nodeId(), r.address());
                    emit(new DiscoveryEvent.PeerDiscovered(r.address(), BootstrapDiscoveryProvider.NAME));
                }
            }
        }
    }

    private void evictOldest(PublicKey keep) {
        PeerRecord oldest = null;
        for (PeerRecord r : known.values()) {
            if (!r.nodeId().equals(keep) && (oldest == null || r.timestampMillis() < oldest.timestampMillis())) {
                oldest = r;
            }
        }
        if (oldest != null) {
            known.remove(oldest.nodeId());
            counters.evicted.incrementAndGet();
            forget(oldest.nodeId());
        }
    }

    /** Drops records older than {@code record_ttl}: their node stopped refreshing them. */
    private void expire() {
        Instant cutoff = scheduler.now().minus(options.recordTtl());
        synchronized (lock) {
            List<PublicKey> gone = new ArrayList<>();
            for (PeerRecord r : known.values()) {
                if (r.timestamp().isBefore(cutoff)) {
                    gone.add(r.nodeId());
                }
            }
            for (PublicKey id : gone) {
                known.remove(id);
                counters.expired.incrementAndGet();
                forget(id);
            }
        }
    }

    private void forget(PublicKey id) {
        if (reported.remove(id) != null && state == State.STARTED) {
            emit(new DiscoveryEvent.PeerLost(id, BootstrapDiscoveryProvider.NAME));
        }
    }

    private void emit(DiscoveryEvent event) {
        try {
            sink.emit(event);
        } catch (RuntimeException e) {
            LOG.warn("the node's event sink failed on {}", event, e);
        }
    }
}
