package dev.pando.discovery.mdns;

import dev.pando.ConfigurationException;
import dev.pando.NodeAddress;
import dev.pando.spi.Cancellable;
import dev.pando.spi.Discovery;
import dev.pando.spi.DiscoveryContext;
import dev.pando.spi.DiscoveryEvent;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.jmdns.JmDNS;
import javax.jmdns.ServiceEvent;
import javax.jmdns.ServiceInfo;
import javax.jmdns.ServiceListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running "mdns" discovery: one jmdns instance per selected interface, each browsing
 * {@value MdnsRecord#SERVICE_TYPE} and, in active mode, announcing this node's record.
 *
 * <p>Threads: {@link #start}, {@link #addressesChanged} and {@link #close} on the caller's thread;
 * (re-)announcing runs on the context's executor (jmdns blocks while it probes); jmdns calls the
 * listener on its own threads, one per interface. Peer state and event emission are guarded by
 * this object's monitor, so events leave in order and never concurrently.
 */
final class MdnsDiscovery implements Discovery {
    private static final Logger LOG = LoggerFactory.getLogger(MdnsDiscovery.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long close() waits for an announcement in progress (jmdns probes for about 3 s). */
    private static final long CLOSE_WAIT_SECONDS = 15;
    /** A peer that promised a refresh interval is gone after this many intervals without a new beat… */
    static final int MISSED_REFRESHES = 3;
    /** …plus this, for jmdns's announcer, which sends a changed record up to about 2 s after it is handed over. */
    static final Duration ANNOUNCE_SLACK = Duration.ofSeconds(2);
    /** How often the peers' beats are checked. */
    private static final Duration SWEEP_INTERVAL = Duration.ofSeconds(1);

    private enum State { NEW, STARTED, CLOSED }

    private final DiscoveryContext context;
    private final MdnsOptions options;
    private final String source;
    private final Map<Rejection, AtomicLong> rejections = new EnumMap<>(Rejection.class);
    private final Map<MdnsCounter, AtomicLong> counters = new EnumMap<>(MdnsCounter.class);

    // guarded by this
    private State state = State.NEW;
    private final List<Endpoint> endpoints = new ArrayList<>();
    /** By instance name, least recently confirmed first (eviction order). */
    private final LinkedHashMap<String, Peer> peers = new LinkedHashMap<>(16, 0.75f, true);
    private CompletableFuture<Void> announcements = CompletableFuture.completedFuture(null);
    private MdnsRecord announced;
    /** This node's refresh promise and current beat (active mode). */
    private MdnsRecord.Refresh refresh;
    private Cancellable refreshTimer;
    private Cancellable sweepTimer;

    MdnsDiscovery(DiscoveryContext context, MdnsOptions options, String source) {
        this.context = context;
        this.options = options;
        this.source = source;
        for (Rejection r : Rejection.values()) {
            rejections.put(r, new AtomicLong());
        }
        for (MdnsCounter c : MdnsCounter.values()) {
            counters.put(c, new AtomicLong());
        }
    }

    @Override
    public void start(List<NodeAddress> ownAddresses) {
        List<NodeAddress> own = List.copyOf(ownAddresses);
        synchronized (this) {
            if (state != State.NEW) {
                throw new IllegalStateException("mdns discovery was " + (state == State.CLOSED ? "closed" : "started") + " before");
            }
            state = State.STARTED;
            try {
                List<InetAddress> binds = options.bindAddresses();
                JmdnsThreads.installDaemonTimers();
                // a random host name: jmdns announces it with the interface address even in passive mode,
                // and it should not tie the node's hosts together
                String hostName = "pando-" + ZBase32.encode(randomBytes(5));
                for (InetAddress bind : binds) {
                    JmDNS jmdns;
                    try {
                        jmdns = JmDNS.create(bind, hostName);
                    } catch (IOException | RuntimeException e) {
                        throw new ConfigurationException("mdns could not open a multicast socket on " + bind.getHostAddress() + ": " + e.getMessage(), e);
                    }
                    if (!JmdnsThreads.daemonExecutor(jmdns)) {
                        counters.get(MdnsCounter.NON_DAEMON_THREADS).incrementAndGet();
                    }
                    Endpoint endpoint = new Endpoint(bind, jmdns);
                    endpoints.add(endpoint);
                    jmdns.addServiceListener(MdnsRecord.SERVICE_TYPE, endpoint);
                }
                if (options.active()) {
                    refresh = new MdnsRecord.Refresh((int) options.refreshInterval().getSeconds(), RANDOM.nextInt() & 0xFFFF_FFFFL);
                    announce(own);
                    refreshTimer = schedule(this::refreshNow, nextRefresh());
                }
                sweepTimer = schedule(this::sweep, SWEEP_INTERVAL);
            } catch (RuntimeException e) {
                cancelTimers();
                closeEndpoints();
                state = State.CLOSED;
                throw e;
            }
        }
    }

    @Override
    public void addressesChanged(List<NodeAddress> ownAddresses) {
        List<NodeAddress> own = List.copyOf(ownAddresses);
        synchronized (this) {
            if (state == State.NEW) {
                throw new IllegalStateException("mdns discovery was not started");
            }
            if (state == State.STARTED && options.active()) {
                announce(own);
            }
        }
    }

    @Override
    public void close() {
        CompletableFuture<Void> pending;
        List<Endpoint> toClose;
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            cancelTimers();
            pending = announcements;
            toClose = List.copyOf(endpoints);
            endpoints.clear();
            peers.clear();
        }
        // jmdns is closed outside the monitor: it blocks about 2 s per instance to send goodbyes,
        // and its listener threads may be waiting for the monitor meanwhile
        for (Endpoint e : toClose) {
            e.close();
        }
        try {
            pending.get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("mdns: an announcement had not finished at close: {}", e.toString());
        }
    }

    /** Counts for tests and diagnostics: rejections by reason, then the other counters. */
    Map<String, Long> counters() {
        Map<String, Long> result = new LinkedHashMap<>();
        rejections.forEach((r, n) -> result.put(r.name(), n.get()));
        counters.forEach((c, n) -> result.put(c.name(), n.get()));
        return result;
    }

    /** How many peers are remembered now. */
    synchronized int peerCount() {
        return peers.size();
    }

    /** The jmdns host name of this discovery's instances (threads carry it in their names), if started. */
    synchronized Optional<String> hostName() {
        return endpoints.isEmpty() ? Optional.empty() : Optional.of(endpoints.get(0).jmdns.getName());
    }

    // ---- announcing ----

    /** Queues a (re-)announcement of this node with these addresses. Holds the monitor. */
    private void announce(List<NodeAddress> own) {
        MdnsRecord record = ownRecord(own);
        try {
            record.txt(Optional.of(refresh));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("mdns cannot announce this node: " + e.getMessage(), e);
        }
        if (record.equals(announced)) {
            return;
        }
        announced = record;
        refresh = refresh.next();
        queueAnnouncement(record, record.txt(Optional.of(refresh)));
    }

    /** Hands {@code txt} to every endpoint on the executor, after the announcements queued before. Holds the monitor. */
    private void queueAnnouncement(MdnsRecord record, Map<String, String> txt) {
        List<Endpoint> targets = List.copyOf(endpoints);
        // handle(): a failed or refused step must not end the chain (register itself never throws)
        announcements = announcements.handle((v, error) -> null).thenRunAsync(() -> {
            for (Endpoint e : targets) {
                e.register(record, txt);
            }
        }, context.services().executor());
    }

    /**
     * Announces the record again with the next beat: receivers that hear no new beat for
     * {@value #MISSED_REFRESHES} intervals take this node for gone (a node killed without a
     * goodbye would otherwise linger for jmdns's TTL, an hour). Runs on the scheduler.
     */
    private void refreshNow() {
        synchronized (this) {
            if (state != State.STARTED) {
                return;
            }
            if (announced != null) {
                refresh = refresh.next();
                counters.get(MdnsCounter.REFRESHES).incrementAndGet();
                queueAnnouncement(announced, announced.txt(Optional.of(refresh)));
            }
            refreshTimer = schedule(this::refreshNow, nextRefresh());
        }
    }

    /** 90 to 100 % of the refresh interval: spread out, and never later than promised. */
    private Duration nextRefresh() {
        long ms = options.refreshInterval().toMillis();
        return Duration.ofMillis(ms - RANDOM.nextLong(ms / 10 + 1));
    }

    /** Takes every peer whose promised beat is overdue for gone. Runs on the scheduler. */
    private void sweep() {
        synchronized (this) {
            if (state != State.STARTED) {
                return;
            }
            long now = context.services().scheduler().nanoTime();
            Iterator<Map.Entry<String, Peer>> it = peers.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<String, Peer> e = it.next();
                Peer peer = e.getValue();
                if (peer.refreshSeconds > 0 && now - peer.freshNanos > deadlineNanos(peer.refreshSeconds)) {
                    // jmdns keeps its records for their TTL but reports them again only if they change:
                    // the node is back when a new beat (or a new announcement) arrives
                    it.remove();
                    counters.get(MdnsCounter.PEERS_EXPIRED).incrementAndGet();
                    counters.get(MdnsCounter.PEERS_LOST).incrementAndGet();
                    emit(new DiscoveryEvent.PeerLost(peer.address.nodeId(), source));
                }
            }
            sweepTimer = schedule(this::sweep, SWEEP_INTERVAL);
        }
    }

    static long deadlineNanos(int refreshSeconds) {
        return TimeUnit.SECONDS.toNanos((long) MISSED_REFRESHES * refreshSeconds) + ANNOUNCE_SLACK.toNanos();
    }

    private Cancellable schedule(Runnable task, Duration delay) {
        return context.services().scheduler().schedule(task, delay);
    }

    /** Holds the monitor. */
    private void cancelTimers() {
        if (refreshTimer != null) {
            refreshTimer.cancel();
            refreshTimer = null;
        }
        if (sweepTimer != null) {
            sweepTimer.cancel();
            sweepTimer = null;
        }
    }

    /**
     * This node's record: every direct address of {@code own} (wildcard addresses become the
     * addresses of the selected interfaces; IPv6 link-local and loopback ones are left out, their
     * scope means nothing to a receiver) and the first relay URL.
     */
    private MdnsRecord ownRecord(List<NodeAddress> own) {
        Set<InetSocketAddress> direct = new LinkedHashSet<>();
        Optional<URI> relay = Optional.empty();
        List<InetAddress> local = interfaceAddresses();
        for (NodeAddress a : own) {
            for (InetSocketAddress s : a.directAddresses()) {
                if (s.isUnresolved() || s.getPort() == 0) {
                    continue;
                }
                if (s.getAddress().isAnyLocalAddress()) {
                    boolean v6 = s.getAddress() instanceof Inet6Address;
                    for (InetAddress ip : local) {
                        if (v6 || !(ip instanceof Inet6Address)) {
                            direct.add(new InetSocketAddress(ip, s.getPort()));
                        }
                    }
                } else if (!s.getAddress().isLinkLocalAddress() && !s.getAddress().isLoopbackAddress()) {
                    // a receiver would reach its own host at a loopback address (a node bound to the
                    // wildcard lists 127.0.0.1 and ::1 among its own addresses)
                    direct.add(s);
                }
            }
            if (relay.isEmpty()) {
                relay = a.relayUrl();
            }
        }
        return new MdnsRecord(new NodeAddress(context.nodeId(), new ArrayList<>(direct), relay), context.networkId());
    }

    /** Every non-link-local address of the selected interfaces. Holds the monitor. */
    private List<InetAddress> interfaceAddresses() {
        List<InetAddress> result = new ArrayList<>();
        for (Endpoint e : endpoints) {
            try {
                NetworkInterface ni = NetworkInterface.getByInetAddress(e.bind);
                if (ni == null) {
                    continue;
                }
                for (InetAddress ip : Collections.list(ni.getInetAddresses())) {
                    if (!ip.isLinkLocalAddress() && !result.contains(ip)) {
                        result.add(ip);
                    }
                }
            } catch (SocketException ex) {
                LOG.debug("mdns: could not list the addresses of the interface of {}: {}", e.bind, ex.toString());
            }
        }
        return result;
    }

    // ---- browsing ----

    private synchronized void resolved(Endpoint endpoint, ServiceInfo info) {
        if (state != State.STARTED) {
            return;
        }
        counters.get(MdnsCounter.RECORDS_READ).incrementAndGet();
        MdnsRecord.Decoded decoded;
        try {
            decoded = MdnsRecord.decode(info.getName(), info.getTextBytes());
        } catch (RuntimeException e) {
            // decode promises never to throw; a jmdns accessor might
            decoded = new MdnsRecord.Rejected(Rejection.OVERSIZED_OR_TRUNCATED, e.toString());
        }
        if (decoded instanceof MdnsRecord.Rejected r) {
            rejections.get(r.reason()).incrementAndGet();
            if (r.reason().ordinal() > Rejection.INCOMPLETE.ordinal()) {
                LOG.debug("mdns: record \"{}\" from {} rejected ({}): {}", info.getName(), endpoint.bind.getHostAddress(),
                        r.reason(), r.detail());
            }
            return;
        }
        MdnsRecord record = ((MdnsRecord.Accepted) decoded).record();
        Optional<MdnsRecord.Refresh> beat = ((MdnsRecord.Accepted) decoded).refresh();
        if (record.address().nodeId().equals(context.nodeId())) {
            rejections.get(Rejection.OWN_RECORD).incrementAndGet();
            return;
        }
        if (!record.networkId().equals(context.networkId())) {
            rejections.get(Rejection.OTHER_NETWORK).incrementAndGet();
            return;
        }
        String name = record.instanceName();
        long now = context.services().scheduler().nanoTime();
        Peer peer = peers.get(name); // access order: this peer becomes the most recent
        if (peer == null) {
            if (peers.size() >= options.maxPeers()) {
                Iterator<Map.Entry<String, Peer>> eldest = peers.entrySet().iterator();
                eldest.next();
                eldest.remove();
                counters.get(MdnsCounter.PEERS_EVICTED).incrementAndGet();
            }
            peer = new Peer(record.address());
            peers.put(name, peer);
            peer.seenOn.add(endpoint);
            peer.heard(beat, now);
            emit(new DiscoveryEvent.PeerDiscovered(record.address(), source));
            return;
        }
        peer.seenOn.add(endpoint);
        peer.heard(beat, now);
        if (!peer.address.equals(record.address())) {
            peer.address = record.address();
            emit(new DiscoveryEvent.PeerDiscovered(record.address(), source));
        }
    }

    private synchronized void removed(Endpoint endpoint, String instanceName) {
        if (state != State.STARTED) {
            return;
        }
        Peer peer = peers.get(instanceName);
        if (peer == null || !peer.seenOn.remove(endpoint) || !peer.seenOn.isEmpty()) {
            return;
        }
        peers.remove(instanceName);
        counters.get(MdnsCounter.PEERS_LOST).incrementAndGet();
        emit(new DiscoveryEvent.PeerLost(peer.address.nodeId(), source));
    }

    /** Holds the monitor, so events leave in order and one at a time. */
    private void emit(DiscoveryEvent event) {
        if (event instanceof DiscoveryEvent.PeerDiscovered) {
            counters.get(MdnsCounter.PEERS_DISCOVERED).incrementAndGet();
        }
        try {
            context.services().events().emit(event);
        } catch (RuntimeException e) {
            // the sink must not throw; if it does, the discovery goes on
            LOG.warn("mdns: the event sink threw on {}: {}", event, e.toString());
        }
    }

    private void closeEndpoints() {
        for (Endpoint e : endpoints) {
            e.close();
        }
        endpoints.clear();
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static final class Peer {
        NodeAddress address;
        /** The interfaces the peer is announced on: it is lost when none has it any more. */
        final Set<Endpoint> seenOn = new HashSet<>(2);
        /** The refresh interval the peer promised, in seconds; 0: none (it is lost only by goodbye or TTL). */
        int refreshSeconds;
        /** The last beat heard, and when it was first heard (scheduler nanos). */
        long beat = -1;
        long freshNanos;

        Peer(NodeAddress address) {
            this.address = address;
        }

        /** A resolution of the peer's record: a new beat is a sign of life, a repeated one is not. */
        void heard(Optional<MdnsRecord.Refresh> refresh, long now) {
            if (refresh.isEmpty()) {
                refreshSeconds = 0;
                return;
            }
            refreshSeconds = refresh.get().intervalSeconds();
            if (refresh.get().beat() != beat) {
                beat = refresh.get().beat();
                freshNanos = now;
            }
        }
    }

    /** One interface: its jmdns instance and the listener jmdns calls. */
    private final class Endpoint implements ServiceListener {
        final InetAddress bind;
        final JmDNS jmdns;
        /** The record registered here; touched by one announcement task at a time. */
        private ServiceInfo registered;
        private int registeredPort = -1;

        Endpoint(InetAddress bind, JmDNS jmdns) {
            this.bind = bind;
            this.jmdns = jmdns;
        }

        void register(MdnsRecord record, Map<String, String> txt) {
            int port = record.address().directAddresses().isEmpty() ? 0 : record.address().directAddresses().get(0).getPort();
            try {
                if (registered != null && registeredPort == port) {
                    // same SRV: a new TXT is re-announced without a goodbye, so peers see one change
                    registered.setText(txt);
                    return;
                }
                if (registered != null) {
                    jmdns.unregisterService(registered);
                }
                ServiceInfo info = ServiceInfo.create(MdnsRecord.SERVICE_TYPE, record.instanceName(), port, 0, 0, txt);
                jmdns.registerService(info);
                registered = info;
                registeredPort = port;
            } catch (IOException | RuntimeException e) {
                counters.get(MdnsCounter.ANNOUNCE_FAILED).incrementAndGet();
                LOG.warn("mdns: announcing on {} failed: {}", bind.getHostAddress(), e.toString());
            }
        }

        void close() {
            try {
                jmdns.close(); // unregisters (goodbye records) and stops its threads
            } catch (IOException | RuntimeException e) {
                LOG.debug("mdns: closing the instance on {} failed: {}", bind.getHostAddress(), e.toString());
            }
        }

        @Override
        public void serviceAdded(ServiceEvent event) {
            // resolution follows as serviceResolved; jmdns asks for the records itself
        }

        @Override
        public void serviceRemoved(ServiceEvent event) {
            removed(this, event.getName());
        }

        @Override
        public void serviceResolved(ServiceEvent event) {
            ServiceInfo info = event.getInfo();
            if (info != null) {
                resolved(this, info);
            }
        }
    }
}
