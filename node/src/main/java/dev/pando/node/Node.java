package dev.pando.node;

import dev.pando.ConfigurationException;
import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.Hash;
import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.RejectedOperationException;
import dev.pando.StoreException;
import dev.pando.TopicId;
import dev.pando.TopicRefusedException;
import dev.pando.UnsupportedAddressException;
import dev.pando.spi.Cancellable;
import dev.pando.spi.Connection;
import dev.pando.spi.Discovery;
import dev.pando.spi.DiscoveryEvent;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.EventSink;
import dev.pando.spi.Gossip;
import dev.pando.spi.GossipListener;
import dev.pando.spi.GossipProvider;
import dev.pando.spi.GossipTopic;
import dev.pando.spi.IncomingOperation;
import dev.pando.spi.IngestSink;
import dev.pando.spi.IngestVerdict;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderEvent;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.RawOperation;
import dev.pando.spi.RelayEvent;
import dev.pando.spi.Scheduler;
import dev.pando.spi.Store;
import dev.pando.spi.SyncMetrics;
import dev.pando.spi.SyncProgress;
import dev.pando.spi.SyncProtocol;
import dev.pando.spi.SyncSession;
import dev.pando.spi.TopicLogs;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportEvent;
import dev.pando.spi.TransportProvider;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Pando node: a store of signed logs, the transports that reach other nodes, log sync, topic
 * gossip and discovery, assembled from the providers on the module path (README).
 *
 * <pre>{@code
 * try (Node node = Node.builder().privateKey(key).peer(NodeAddress.parse(other)).start()) {
 *     TopicSubscription chat = node.subscribe(TopicId.named("chat"));
 *     chat.publish("hello".getBytes(UTF_8));
 *     MessageStream messages = chat.messages();
 *     messages.poll(Duration.ofSeconds(5)).ifPresent(System.out::println);
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> Thread-safe. The node runs its work on its executor (daemon threads named
 * {@code pando-node-N}, or the one given to the builder) and its timers on its scheduler; apps are
 * called back only through {@link #events()} subscribers (on the executor, one call at a time per
 * subscriber) — {@link MessageStream} and {@link EventStream} are read by the app's own threads.
 */
public final class Node implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    private static final AtomicInteger NODES = new AtomicInteger();
    /** Metadata kept about recently stored operations' origins, for message sources. */
    private static final int ORIGINS = 65_536;
    private static final Duration DIAL_TIMEOUT = Duration.ofSeconds(20);
    /** Live messages waiting to be handled, at most. */
    private static final int LIVE_QUEUE = 4096;
    /** A connection that comes up this soon after a topic exchange with its peer does not start another. */
    private static final Duration RECENT_EXCHANGE = Duration.ofSeconds(10);

    /** Where a stored operation came from. */
    record Origin(TopicMessage.Source source, Optional<PublicKey> peer) {
    }

    private final Builder config;
    private final PrivateKey key;
    private final PublicKey id;
    private final NetworkId networkId;
    private final Scheduler scheduler;
    private final Executor executor;
    private final ExecutorService ownedExecutor;
    private final EventBus events;
    private final Store store;
    private final Ingest ingest;
    private final NodeTransport transport;
    private final SyncProtocol sync;
    private final Gossip gossip;
    private final List<Discovery> discoveries;
    /** The names of the discovery providers in use, in {@link #discoveries}' order. */
    private final List<String> discoveryNames;
    private final AddressBook addressBook;
    private final SyncScheduler syncs;
    private final TopicExchange exchange;
    private final SerialQueue liveQueue;
    private final SecureRandom random = new SecureRandom();
    private final Map<TopicId, TopicSubscription> subscriptions = new ConcurrentHashMap<>();
    /** Which topics each peer shares with this node, as the last topic exchange found. */
    private final Map<PublicKey, Set<TopicId>> shared = new ConcurrentHashMap<>();
    private final Map<Hash, Origin> origins = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Hash, Origin> eldest) {
            return size() > ORIGINS;
        }
    });
    private final Map<PublicKey, CompletableFuture<Connection>> syncConnections = new ConcurrentHashMap<>();
    /** When the last topic exchange with each peer ended (scheduler nanos); bounded by the address book's size. */
    private final Map<PublicKey, Long> lastExchange = new ConcurrentHashMap<>();
    /** The topic exchanges running, by peer; the flag asks for one more run after. */
    private final Map<PublicKey, java.util.concurrent.atomic.AtomicBoolean> exchanges = new ConcurrentHashMap<>();
    private final Semaphore acceptedSessions;
    private final Object publishLock = new Object();
    private final Counters counters = new Counters();
    /** The next resync round; guarded by {@link #lifecycle}. */
    private Cancellable resyncTimer;
    private final Object lifecycle = new Object();
    private State state = State.NEW;

    private enum State { NEW, STARTED, CLOSED }

    private Node(Builder b) {
        this.config = b;
        this.key = b.key != null ? b.key : PrivateKey.generate();
        this.id = key.publicKey();
        this.networkId = b.networkId;
        this.scheduler = b.scheduler != null ? b.scheduler : Scheduler.system();
        if (b.executor != null) {
            this.executor = b.executor;
            this.ownedExecutor = null;
        } else {
            int n = NODES.incrementAndGet();
            AtomicInteger threads = new AtomicInteger();
            this.ownedExecutor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "pando-node-" + n + "-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            this.executor = ownedExecutor;
        }
        this.events = new EventBus(executor, b.eventBuffer);
        for (Flow.Subscriber<? super NodeEvent> s : b.subscribers) {
            events.subscribe(s);
        }
        EventSink sink = this::providerEvent;
        NodeServices services = new NodeServices(scheduler, executor, sink);
        ProviderRegistry registry = b.registry();
        List<AutoCloseable> made = new ArrayList<>();
        try {
            if (b.storeInstance != null) {
                this.store = b.storeInstance;
            } else {
                this.store = registry.createStore(b.storeName, b.storeOptions, services);
                made.add(store);
            }
            this.ingest = Ingest.create(store);
            made.add(ingest);
            List<NodeTransport.Named> ts = new ArrayList<>();
            for (Map.Entry<String, ProviderOptions> t : b.transports().entrySet()) {
                String name = t.getKey();
                ProviderOptions options = withBind(registry.transport(name), t.getValue(), b.bind);
                Transport created = registry.createTransport(name, key, networkId, options,
                        services.withEvents(event -> transportEvent(name, event)));
                made.add(created);
                ts.add(new NodeTransport.Named(name, created));
            }
            this.transport = new NodeTransport(ts, scheduler);
            this.sync = registry.createSync(b.syncName, b.syncOptions, services);
            String gossipName = b.gossipName(registry);
            this.gossip = gossipName == null ? null
                    : registry.createGossip(gossipName, id, networkId, transport, b.gossipOptions, services);
            if (gossip != null) {
                made.add(gossip);
            }
            List<Discovery> ds = new ArrayList<>();
            Map<String, ProviderOptions> configured = b.discoveries(registry);
            for (Map.Entry<String, ProviderOptions> d : configured.entrySet()) {
                Discovery created = registry.createDiscovery(d.getKey(), key, networkId, transport, this::sharingATopicWith,
                        d.getValue(), services);
                made.add(created);
                ds.add(created);
            }
            this.discoveries = List.copyOf(ds);
            this.discoveryNames = List.copyOf(configured.keySet());
        } catch (RuntimeException e) {
            Collections.reverse(made);
            for (AutoCloseable c : made) {
                closeQuietly(c);
            }
            if (ownedExecutor != null) {
                ownedExecutor.shutdownNow();
            }
            throw e;
        }
        this.addressBook = new AddressBook(b.maxAddressBook);
        this.exchange = new TopicExchange(random);
        this.liveQueue = new SerialQueue(executor, LIVE_QUEUE);
        this.acceptedSessions = new Semaphore(b.maxAcceptedSyncs);
        this.syncs = new SyncScheduler(scheduler, executor, b.maxConcurrentSyncs, b.maxSyncRetries, b.retryBase,
                b.retryMax, random.nextLong(), this::runSync);
    }

    private static ProviderOptions withBind(TransportProvider provider, ProviderOptions options, InetSocketAddress bind) {
        if (bind == null || options.string("bind").isPresent() || !provider.optionKeys().contains("bind")) {
            return options;
        }
        String host = bind.getAddress().getHostAddress();
        return options.with("bind", (host.contains(":") ? "[" + host + "]" : host) + ":" + bind.getPort());
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------------------------- lifecycle

    /**
     * Opens the store, starts the transports, gossip and discovery, and contacts the configured
     * peers. Returns once everything listens; peers are contacted in the background.
     *
     * @throws IllegalStateException if started twice or after {@link #close()}
     * @throws ConfigurationException if a provider cannot start (e.g. a port in use)
     */
    public Node start() {
        synchronized (lifecycle) {
            if (state != State.NEW) {
                throw new IllegalStateException("the node was " + (state == State.STARTED ? "started already" : "closed"));
            }
            state = State.STARTED;
        }
        try {
            store.open();
            transport.accept(sync.protocolName(), this::acceptSync);
            transport.accept(TopicExchange.PROTOCOL, this::acceptExchange);
            if (gossip != null) {
                gossip.start();
            }
            for (NodeTransport.Named t : transport.transports()) {
                t.transport().start();
            }
            List<NodeAddress> own = List.of(transport.localAddress());
            for (Discovery d : discoveries) {
                d.start(own);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        for (NodeAddress peer : config.peers) {
            addPeer(peer, AddressBook.CONFIG);
        }
        synchronized (lifecycle) {
            if (state == State.STARTED) {
                resyncTimer = scheduleResync();
            }
        }
        return this;
    }

    /**
     * Leaves every overlay, stops discovery, gossip and the transports, ends every stream and event
     * subscription, and closes the store if the node opened it. Idempotent.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            if (resyncTimer != null) {
                resyncTimer.cancel();
            }
        }
        syncs.close();
        for (TopicSubscription s : List.copyOf(subscriptions.values())) {
            s.close();
        }
        for (Discovery d : discoveries) {
            closeQuietly(d);
        }
        if (gossip != null) {
            closeQuietly(gossip);
        }
        for (CompletableFuture<Connection> c : syncConnections.values()) {
            c.thenAccept(Connection::close);
        }
        for (NodeTransport.Named t : transport.transports()) {
            closeQuietly(t.transport());
        }
        closeQuietly(ingest);
        if (config.storeInstance == null) {
            closeQuietly(store);
        }
        events.close();
        if (ownedExecutor != null) {
            ownedExecutor.shutdown();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing {} failed", c, e);
        }
    }

    private void ensureStarted() {
        synchronized (lifecycle) {
            if (state != State.STARTED) {
                throw new IllegalStateException(state == State.NEW ? "the node is not started" : "the node is closed");
            }
        }
    }

    private boolean running() {
        synchronized (lifecycle) {
            return state == State.STARTED;
        }
    }

    // ------------------------------------------------------------------------------------ queries

    /** This node's id: the public key of its private key. */
    public PublicKey id() {
        return id;
    }

    public NetworkId networkId() {
        return networkId;
    }

    /** How to reach this node: its id, every transport's direct addresses and its relay. Valid once started. */
    public NodeAddress address() {
        ensureStarted();
        return transport.localAddress();
    }

    /** Whether the node was started in bootstrap mode ({@link Builder#bootstrap()}). */
    public boolean isBootstrap() {
        return config.bootstrap;
    }

    /** The names of the providers in use, by kind (for logs and status lines). */
    public Map<String, List<String>> providers() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        out.put("store", List.of(config.storeInstance != null ? "(instance)" : config.storeName));
        out.put("transport", transport.transports().stream().map(NodeTransport.Named::name).toList());
        out.put("sync", List.of(config.syncName));
        out.put("gossip", gossip == null ? List.of() : List.of(config.gossipName(config.registry())));
        out.put("discovery", discoveryNames);
        return out;
    }

    /** The node ids this node knows an address of, with the merged address. */
    public List<NodeAddress> knownPeers() {
        return addressBook.all();
    }

    /**
     * The node's events (see {@link NodeEvent}) as a {@link Flow.Publisher}: each subscriber sees the
     * events emitted after it subscribed (register on {@link Builder#subscriber} to see all from the
     * start), through a bounded buffer of its own; signals come on the node's executor.
     */
    public Flow.Publisher<NodeEvent> events() {
        return events;
    }

    /** A blocking reader of the events emitted from now on (see {@link EventStream}). */
    public EventStream eventStream() {
        return events.stream();
    }

    /** Counters since start, for status lines and metrics. */
    public NodeCounters counters() {
        IngestCounters c = ingest.counters();
        return counters.snapshot(c.inserted() + c.released());
    }

    // ----------------------------------------------------------------------------------- peers

    /**
     * Adds a peer's address (as configuration does) and contacts it in the background to learn
     * which topics it shares with this node.
     *
     * @throws IllegalArgumentException if it is this node's own id
     */
    public void addPeer(NodeAddress peer) {
        Objects.requireNonNull(peer, "peer");
        ensureStarted();
        addPeer(peer, AddressBook.CONFIG);
    }

    private void addPeer(NodeAddress peer, String source) {
        if (peer.nodeId().equals(id)) {
            if (AddressBook.CONFIG.equals(source)) {
                throw new IllegalArgumentException("cannot add this node's own id " + id + " as a peer");
            }
            return;
        }
        Optional<NodeAddress> changed = addressBook.put(peer, source);
        if (changed.isPresent()) {
            events.emit(new NodeEvent.PeerDiscovered(changed.get(), source));
            if (!AddressBook.EXCHANGE.equals(source)) {
                exchangeWith(peer.nodeId());
            }
        }
    }

    private void providerEvent(ProviderEvent event) {
        if (event instanceof DiscoveryEvent.PeerDiscovered d) {
            if (running()) {
                addPeer(d.address(), d.source());
            }
        } else if (event instanceof DiscoveryEvent.PeerLost l) {
            if (addressBook.remove(l.nodeId(), l.source())) {
                events.emit(new NodeEvent.PeerLost(l.nodeId(), l.source()));
            }
        } else {
            LOG.debug("provider event {}", event);
        }
    }

    private void transportEvent(String transportName, ProviderEvent event) {
        if (event instanceof TransportEvent.PeerConnected c) {
            counters.connections.incrementAndGet();
            events.emit(new NodeEvent.ConnectionEstablished(c.peer(), transportName));
            // a reconnect: learn again what the peer shares, unless an exchange just ran (the dial
            // that made this connection was most likely for one)
            Long last = lastExchange.get(c.peer());
            boolean recent = exchanges.containsKey(c.peer())
                    || last != null && scheduler.nanoTime() - last < RECENT_EXCHANGE.toNanos();
            if (running() && !recent && id.compareTo(c.peer()) < 0 && addressBook.get(c.peer()).isPresent()) {
                exchangeWith(c.peer());
            }
        } else if (event instanceof RelayEvent.Connected r) {
            events.emit(new NodeEvent.RelayConnected(r.relay(), transportName));
        } else if (event instanceof RelayEvent.Disconnected r) {
            events.emit(new NodeEvent.RelayDisconnected(r.relay(), transportName, r.reason()));
        } else if (event instanceof TransportEvent.PeerDisconnected d) {
            events.emit(new NodeEvent.ConnectionClosed(d.peer(), transportName));
            CompletableFuture<Connection> c = syncConnections.get(d.peer());
            if (c != null && c.isDone() && !c.isCompletedExceptionally() && !c.join().isOpen()) {
                syncConnections.remove(d.peer(), c);
            }
        } else {
            providerEvent(event);
        }
    }

    // ------------------------------------------------------------------------- topic exchange

    /**
     * Runs the topic exchange with {@code peer} in the background: one at a time per peer; asked
     * again while one runs, it runs once more afterwards (a topic may have been added meanwhile).
     */
    private void exchangeWith(PublicKey peer) {
        if (!running() || addressBook.get(peer).isEmpty()) {
            return;
        }
        java.util.concurrent.atomic.AtomicBoolean again = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean running = exchanges.putIfAbsent(peer, again);
        if (running != null) {
            running.set(true);
            return;
        }
        runExchange(peer, again);
    }

    private void runExchange(PublicKey peer, java.util.concurrent.atomic.AtomicBoolean again) {
        Optional<NodeAddress> address = addressBook.get(peer);
        if (address.isEmpty() || !running()) {
            exchanges.remove(peer, again);
            return;
        }
        Set<TopicId> told = topics();
        transport.dial(address.get(), TopicExchange.PROTOCOL)
                .thenCompose(Connection::openStream)
                .thenAcceptAsync(stream -> {
                    try (stream) {
                        stream.timeout(config.exchangeTimeout);
                        TopicExchange.Result r = exchange.initiate(stream, peer, transport.localAddress(), told);
                        exchanged(r);
                    }
                }, executor)
                .whenComplete((ok, error) -> {
                    if (error != null) {
                        counters.exchangeFailures.incrementAndGet();
                        LOG.debug("topic exchange with {} failed: {}", peer, error.toString());
                    }
                    // asked again meanwhile: run once more if this node's topics changed since
                    if (again.getAndSet(false) && error == null && !topics().equals(told)) {
                        runExchange(peer, again);
                    } else {
                        exchanges.remove(peer, again);
                    }
                });
    }

    private void acceptExchange(Connection connection) {
        acceptStreams(connection, stream -> {
            try (stream) {
                stream.timeout(config.exchangeTimeout);
                TopicExchange.Result r = exchange.accept(stream, connection.remoteNodeId(), transport.localAddress(), topics());
                exchanged(r);
            } catch (RuntimeException e) {
                counters.exchangeFailures.incrementAndGet();
                LOG.debug("topic exchange from {} failed: {}", connection.remoteNodeId(), e.toString());
            }
        });
    }

    private void exchanged(TopicExchange.Result r) {
        lastExchange.put(r.peer(), scheduler.nanoTime());
        r.peerAddress().ifPresent(a -> addPeer(a, AddressBook.EXCHANGE));
        shared.put(r.peer(), Set.copyOf(r.shared()));
        if (shared.size() > config.maxAddressBook) {
            // forget what was learned about peers the address book no longer holds
            shared.keySet().removeIf(p -> addressBook.get(p).isEmpty());
            lastExchange.keySet().removeIf(p -> !shared.containsKey(p));
        }
        for (TopicId topic : r.shared()) {
            TopicSubscription s = subscriptions.get(topic);
            if (s == null) {
                continue;
            }
            GossipTopic g = s.gossip();
            Optional<NodeAddress> address = addressBook.get(r.peer());
            if (g != null && address.isPresent()) {
                try {
                    g.joinPeers(List.of(address.get()));
                } catch (IllegalStateException closed) {
                    // the subscription closed meanwhile
                }
            }
            if (gossip == null) {
                s.markReady();
            }
            if (id.compareTo(r.peer()) < 0) {
                syncs.request(r.peer(), topic);
            }
        }
    }

    /**
     * The {@link dev.pando.spi.PeerAffinity} handed to discoveries: the peers that, as the last topic
     * exchanges found, share with this node a topic it is still subscribed to and also shares with
     * {@code asker}. Node ids only; bounded by {@link #shared}, which the address book's size bounds.
     */
    private Set<PublicKey> sharingATopicWith(PublicKey asker) {
        Set<TopicId> withAsker = new java.util.HashSet<>(shared.getOrDefault(asker, Set.of()));
        withAsker.retainAll(subscriptions.keySet());
        if (withAsker.isEmpty()) {
            return Set.of();
        }
        Set<PublicKey> out = new java.util.HashSet<>();
        for (Map.Entry<PublicKey, Set<TopicId>> e : shared.entrySet()) {
            if (!e.getKey().equals(asker) && !Collections.disjoint(e.getValue(), withAsker)) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    private Set<TopicId> topics() {
        return Set.copyOf(subscriptions.keySet());
    }

    /** Hands every stream {@code connection} brings to {@code handler} on the executor. */
    private void acceptStreams(Connection connection, java.util.function.Consumer<DuplexStream> handler) {
        connection.acceptStream().whenComplete((stream, error) -> {
            if (error != null) {
                return;
            }
            try {
                executor.execute(() -> handler.accept(stream));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                stream.abort();
                return;
            }
            acceptStreams(connection, handler);
        });
    }

    // -------------------------------------------------------------------------------- topics

    /**
     * Subscribes to a topic: joins its gossip overlay, serves its logs to peers in sync and starts
     * learning which peers share it.
     *
     * @throws IllegalStateException if already subscribed, or the node is not running
     */
    public TopicSubscription subscribe(TopicId topic) {
        Objects.requireNonNull(topic, "topic");
        ensureStarted();
        TopicSubscription s = new TopicSubscription(this, topic);
        if (subscriptions.putIfAbsent(topic, s) != null) {
            throw new IllegalStateException("this node is subscribed to " + topic + " already");
        }
        if (gossip != null) {
            List<NodeAddress> known = new ArrayList<>();
            for (Map.Entry<PublicKey, Set<TopicId>> e : shared.entrySet()) {
                if (e.getValue().contains(topic)) {
                    addressBook.get(e.getKey()).ifPresent(known::add);
                }
            }
            s.gossip(gossip.join(topic, known, new Listener(s)));
        }
        events.emit(new NodeEvent.OverlayJoined(topic));
        if (config.bootstrap) {
            s.markReady();
        }
        for (NodeAddress peer : addressBook.all()) {
            exchangeWith(peer.nodeId());
        }
        return s;
    }

    void unsubscribe(TopicSubscription s) {
        if (!subscriptions.remove(s.topic(), s)) {
            return;
        }
        GossipTopic g = s.gossip();
        if (g != null) {
            g.close();
        }
        syncs.forget(s.topic());
        events.emit(new NodeEvent.OverlayLeft(s.topic()));
    }

    /** Gossip callbacks of one topic: handed to the executor, never run on gossip's thread. */
    private final class Listener implements GossipListener {
        private final TopicSubscription subscription;

        Listener(TopicSubscription subscription) {
            this.subscription = subscription;
        }

        @Override
        public void received(byte[] message, PublicKey deliveredFrom) {
            counters.liveReceived.incrementAndGet();
            live(subscription, message, deliveredFrom);
        }

        @Override
        public void neighbourUp(PublicKey peer) {
            subscription.neighbourUp(peer);
            events.emit(new NodeEvent.NeighbourUp(subscription.topic(), peer));
            subscription.markReady();
            if (id.compareTo(peer) < 0 && addressBook.get(peer).isPresent()) {
                syncs.request(peer, subscription.topic());
            }
        }

        @Override
        public void neighbourUp(PublicKey peer, NodeAddress address) {
            // the overlay may be the only source that knows where this neighbour is (it joined
            // through another node): without it, no sync could reach the neighbour
            if (running()) {
                addPeer(address, AddressBook.GOSSIP);
            }
            neighbourUp(peer);
        }

        @Override
        public void neighbourDown(PublicKey peer) {
            subscription.neighbourDown(peer);
            events.emit(new NodeEvent.NeighbourDown(subscription.topic(), peer));
        }
    }

    Operation publish(TopicSubscription s, byte[] payload) {
        ensureStarted();
        LogId logId = s.logId();
        Operation op;
        synchronized (publishLock) {
            Optional<Operation> latest = store.latest(id, logId);
            var builder = Operation.builder(key).logId(logId).body(payload);
            latest.ifPresent(builder::after);
            op = builder.build();
            origins.put(op.id(), new Origin(TopicMessage.Source.LOCAL, Optional.empty()));
            IngestResult r = ingest.ingest(IngestInput.of(op.headerBytes(), payload));
            if (!(r instanceof IngestResult.Inserted inserted)) {
                throw new IllegalStateException("this node's own operation was not stored: " + r);
            }
            stored(List.of(r));
        }
        counters.published.incrementAndGet();
        GossipTopic g = s.gossip();
        if (g != null) {
            byte[] live = LiveMessage.encodeOperation(op.headerBytes(), Optional.of(payload));
            if (live.length <= gossip.maxMessageBytes()) {
                try {
                    g.broadcast(live);
                    counters.liveSent.incrementAndGet();
                } catch (IllegalStateException closed) {
                    // the subscription closed meanwhile: the operation is stored, sync carries it
                }
            } else {
                counters.tooLargeForLive.incrementAndGet();
            }
        }
        return op;
    }

    void broadcast(TopicSubscription s, byte[] payload) {
        ensureStarted();
        GossipTopic g = s.gossip();
        if (g == null) {
            throw new IllegalStateException("this node has no gossip provider: ephemeral messages cannot be sent");
        }
        if (payload.length > maxEphemeralBytes()) {
            throw new IllegalArgumentException("an ephemeral message may have at most " + maxEphemeralBytes()
                    + " bytes, got " + payload.length);
        }
        long now = micros();
        byte[] message = LiveMessage.encodeEphemeral(s.topic(), key, now, payload, random);
        g.broadcast(message);
        s.ephemeral(new TopicMessage.Ephemeral(id, now, payload.clone(), id));
    }

    int maxEphemeralBytes() {
        return gossip == null ? 0 : Math.max(0, gossip.maxMessageBytes() - LiveMessage.EPHEMERAL_OVERHEAD);
    }

    private long micros() {
        java.time.Instant now = scheduler.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /**
     * A message from a topic's overlay: handled on the executor, one at a time, at most
     * {@value #LIVE_QUEUE} waiting; a burst beyond that is dropped and counted (sync repairs what
     * the operations among them would have brought).
     */
    private void live(TopicSubscription s, byte[] message, PublicKey from) {
        if (!liveQueue.offer(() -> liveNow(s, message, from))) {
            counters.liveDropped.incrementAndGet();
        }
    }

    private void liveNow(TopicSubscription s, byte[] bytes, PublicKey from) {
        LiveMessage m;
        try {
            m = LiveMessage.decode(bytes);
        } catch (ProtocolViolationException e) {
            counters.liveInvalid.incrementAndGet();
            LOG.debug("malformed live message from {}: {}", from, e.getMessage());
            return;
        }
        if (m instanceof LiveMessage.Ephemeral e) {
            if (!e.verify(s.topic())) {
                counters.liveInvalid.incrementAndGet();
                return;
            }
            s.ephemeral(new TopicMessage.Ephemeral(e.author(), e.timestampMicros(), e.payload(), from));
            return;
        }
        LiveMessage.LiveOperation op = (LiveMessage.LiveOperation) m;
        if (!TopicLogs.byTopicLogId().contains(s.topic(), logKeyOf(op.header()).orElse(null))) {
            counters.liveInvalid.incrementAndGet();
            return;
        }
        Hash opId = Hash.of(op.header());
        origins.putIfAbsent(opId, new Origin(TopicMessage.Source.LIVE, Optional.of(from)));
        IngestResult r;
        try {
            r = ingest.ingest(new IngestInput(op.header(), op.body()));
        } catch (IllegalStateException | StoreException e) {
            LOG.debug("live operation from {} not ingested: {}", from, e.toString());
            return;
        }
        stored(List.of(r));
        if (r instanceof IngestResult.Pending) {
            counters.livePending.incrementAndGet();
            // a predecessor is missing: ask the peer it came from, or any peer sharing the topic
            if (addressBook.get(from).isPresent()) {
                syncs.request(from, s.topic());
            } else {
                shared.forEach((peer, topics) -> {
                    if (topics.contains(s.topic())) {
                        syncs.request(peer, s.topic());
                    }
                });
            }
        } else if (r instanceof IngestResult.Rejected || r instanceof IngestResult.HeaderTooLarge) {
            counters.liveInvalid.incrementAndGet();
        }
    }

    private static Optional<LogKey> logKeyOf(byte[] header) {
        try {
            dev.pando.Header h = dev.pando.Header.decode(header);
            return Optional.of(new LogKey(h.publicKey(), h.logId()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Tells the streams of every topic whose logs gained operations. */
    private void stored(List<IngestResult> results) {
        for (IngestResult r : results) {
            if (r instanceof IngestResult.Inserted inserted) {
                LogKey log = inserted.log();
                for (TopicSubscription s : subscriptions.values()) {
                    if (TopicLogs.byTopicLogId().contains(s.topic(), log)) {
                        s.logChanged(log);
                    }
                }
            }
        }
    }

    Optional<Origin> origin(Hash id) {
        return Optional.ofNullable(origins.get(id));
    }

    List<RawOperation> readLog(LogKey log, long fromSeq, int limit) {
        return store.rawLog(log.author(), log.logId(), fromSeq, limit);
    }

    Map<LogKey, Long> heights(TopicId topic) {
        LogId logId = LogId.forTopic(topic);
        Map<LogKey, Long> out = new HashMap<>();
        store.heights(logId).forEach((author, height) -> out.put(new LogKey(author, logId), height));
        return out;
    }

    // ---------------------------------------------------------------------------------- sync

    CompletableFuture<NodeEvent.SyncFinished> syncNow(PublicKey peer, TopicId topic) {
        ensureStarted();
        return syncs.request(peer, topic);
    }

    private TopicLogs topicLogs() {
        return TopicLogs.byTopicLogId(subscriptions::containsKey);
    }

    /** The ingest path of sync sessions with {@code peer}. */
    private IngestSink syncSink(PublicKey peer) {
        return new IngestSink() {
            @Override
            public List<IngestVerdict> ingest(List<IncomingOperation> operations) {
                List<IngestResult> results = ingest.ingestBatch(inputs(operations));
                stored(results);
                return Ingest.verdicts(results);
            }

            @Override
            public CompletableFuture<List<IngestVerdict>> ingestAsync(List<IncomingOperation> operations) {
                return ingest.ingestBatchAsync(inputs(operations)).thenApply(results -> {
                    stored(results);
                    return Ingest.verdicts(results);
                });
            }

            private List<IngestInput> inputs(List<IncomingOperation> operations) {
                for (IncomingOperation op : operations) {
                    origins.putIfAbsent(Hash.of(op.header()), new Origin(TopicMessage.Source.SYNC, Optional.of(peer)));
                }
                return Ingest.inputs(operations);
            }
        };
    }

    /** One initiator session (called by the scheduler on the executor). */
    private CompletableFuture<NodeEvent.SyncFinished> runSync(PublicKey peer, TopicId topic) {
        if (!running()) {
            return CompletableFuture.failedFuture(new SyncFailedException(SyncFailure.CANCELLED, "the node is closed", null));
        }
        if (!subscriptions.containsKey(topic)) {
            return CompletableFuture.failedFuture(new SyncFailedException(SyncFailure.CANCELLED,
                    "this node is not subscribed to " + topic, null));
        }
        events.emit(new NodeEvent.SyncStarted(peer, topic, true));
        counters.syncsStarted.incrementAndGet();
        Optional<NodeAddress> address = addressBook.get(peer);
        if (address.isEmpty()) {
            return CompletableFuture.completedFuture(null).thenApply(x -> {
                throw failed(peer, topic, true, new SyncFailedException(SyncFailure.UNREACHABLE,
                        "no address of " + peer + " is known", null));
            });
        }
        CompletableFuture<NodeEvent.SyncFinished> outcome = new CompletableFuture<>();
        syncConnection(address.get())
                .thenCompose(Connection::openStream)
                .whenComplete((stream, error) -> {
                    if (error != null) {
                        syncConnections.remove(peer);
                        outcome.completeExceptionally(failed(peer, topic, true, classify(error)));
                        return;
                    }
                    try {
                        executor.execute(() -> {
                            try {
                                SyncMetrics m = sync.initiate(topic, new SyncSession(stream, store, topicLogs(),
                                        syncSink(peer), SyncProgress.Listener.none()));
                                outcome.complete(finished(peer, true, m));
                            } catch (RuntimeException e) {
                                stream.abort();
                                outcome.completeExceptionally(failed(peer, topic, true, classify(e)));
                            }
                        });
                    } catch (java.util.concurrent.RejectedExecutionException e) {
                        stream.abort();
                        outcome.completeExceptionally(failed(peer, topic, true,
                                new SyncFailedException(SyncFailure.CANCELLED, "the node is closing", e)));
                    }
                });
        return outcome;
    }

    private CompletableFuture<Connection> syncConnection(NodeAddress address) {
        PublicKey peer = address.nodeId();
        CompletableFuture<Connection> c = syncConnections.get(peer);
        if (c != null && (!c.isDone() || (!c.isCompletedExceptionally() && c.join().isOpen()))) {
            return c;
        }
        CompletableFuture<Connection> dialed = transport.dial(address, sync.protocolName())
                .orTimeout(DIAL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        syncConnections.put(peer, dialed);
        return dialed;
    }

    private void acceptSync(Connection connection) {
        PublicKey peer = connection.remoteNodeId();
        acceptStreams(connection, stream -> {
            if (!acceptedSessions.tryAcquire()) {
                counters.syncsRefused.incrementAndGet();
                stream.abort();
                return;
            }
            TopicId[] topic = new TopicId[1];
            try {
                SyncMetrics m = sync.accept(new SyncSession(stream, store, topicLogs(), syncSink(peer), progress -> {
                    if (topic[0] == null) {
                        topic[0] = progress.topic();
                        counters.syncsStarted.incrementAndGet();
                        events.emit(new NodeEvent.SyncStarted(peer, progress.topic(), false));
                    }
                }));
                if (topic[0] == null) {
                    events.emit(new NodeEvent.SyncStarted(peer, m.topic(), false));
                }
                finished(peer, false, m);
            } catch (RuntimeException e) {
                stream.abort();
                if (topic[0] != null) {
                    failed(peer, topic[0], false, classify(e));
                } else {
                    counters.syncsFailed.incrementAndGet();
                }
            } finally {
                acceptedSessions.release();
            }
        });
    }

    private NodeEvent.SyncFinished finished(PublicKey peer, boolean initiator, SyncMetrics m) {
        counters.syncsFinished.incrementAndGet();
        counters.operationsIn.addAndGet(m.operationsReceived());
        counters.operationsOut.addAndGet(m.operationsSent());
        NodeEvent.SyncFinished e = new NodeEvent.SyncFinished(peer, m.topic(), initiator, m.operationsReceived(),
                m.operationsSent(), m.bytesReceived(), m.bytesSent(), m.forks(), m.duration());
        events.emit(e);
        return e;
    }

    private SyncFailedException failed(PublicKey peer, TopicId topic, boolean initiator, SyncFailedException f) {
        counters.syncsFailed.incrementAndGet();
        events.emit(new NodeEvent.SyncFailed(peer, topic, initiator, f.reason(), String.valueOf(f.getMessage())));
        return f;
    }

    static SyncFailedException classify(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        SyncFailure reason;
        if (e instanceof SyncFailedException f) {
            return f;
        } else if (e instanceof TopicRefusedException) {
            reason = SyncFailure.REFUSED;
        } else if (e instanceof RejectedOperationException) {
            reason = SyncFailure.INVALID_OPERATION;
        } else if (e instanceof ProtocolViolationException) {
            reason = SyncFailure.PROTOCOL_VIOLATION;
        } else if (e instanceof DeadlineExceededException || e instanceof TimeoutException) {
            reason = SyncFailure.TIMEOUT;
        } else if (e instanceof UnsupportedAddressException) {
            reason = SyncFailure.UNREACHABLE;
        } else if (e instanceof ConnectionClosedException) {
            reason = SyncFailure.CONNECTION_CLOSED;
        } else if (e instanceof StoreException) {
            reason = SyncFailure.STORE;
        } else if (e instanceof IllegalStateException) {
            reason = SyncFailure.CANCELLED;
        } else {
            reason = SyncFailure.INTERNAL;
        }
        return new SyncFailedException(reason, message, e);
    }

    private Cancellable scheduleResync() {
        return scheduler.schedule(() -> {
            if (!running()) {
                return;
            }
            try {
                for (NodeAddress peer : addressBook.all()) {
                    if (id.compareTo(peer.nodeId()) < 0) {
                        exchangeWith(peer.nodeId());
                    }
                }
            } finally {
                synchronized (lifecycle) {
                    if (state == State.STARTED) {
                        resyncTimer = scheduleResync();
                    }
                }
            }
        }, config.resyncInterval);
    }

    @Override
    public String toString() {
        return "Node[" + id + ", " + networkId + "]";
    }

    // -------------------------------------------------------------------------------- counters

    private static final class Counters {
        final AtomicLong published = new AtomicLong();
        final AtomicLong liveSent = new AtomicLong();
        final AtomicLong liveReceived = new AtomicLong();
        final AtomicLong liveInvalid = new AtomicLong();
        final AtomicLong livePending = new AtomicLong();
        final AtomicLong liveDropped = new AtomicLong();
        final AtomicLong tooLargeForLive = new AtomicLong();
        final AtomicLong syncsStarted = new AtomicLong();
        final AtomicLong syncsFinished = new AtomicLong();
        final AtomicLong syncsFailed = new AtomicLong();
        final AtomicLong syncsRefused = new AtomicLong();
        final AtomicLong operationsIn = new AtomicLong();
        final AtomicLong operationsOut = new AtomicLong();
        final AtomicLong exchangeFailures = new AtomicLong();
        final AtomicLong connections = new AtomicLong();

        NodeCounters snapshot(long stored) {
            return new NodeCounters(published.get(), stored, liveSent.get(), liveReceived.get(), liveInvalid.get(),
                    livePending.get(), liveDropped.get(), tooLargeForLive.get(), syncsStarted.get(), syncsFinished.get(), syncsFailed.get(),
                    syncsRefused.get(), operationsIn.get(), operationsOut.get(), exchangeFailures.get(), connections.get());
        }
    }

    // --------------------------------------------------------------------------------- builder

    /**
     * Configures a node. Defaults: a generated key, network {@link NetworkId#DEFAULT}, store
     * "memory", transport "quic-netty", sync "log-sync", gossip "plumtree" if it is on the module
     * path (else none: live mode and ephemeral messages are off), no discovery (in bootstrap mode:
     * "bootstrap"), resync every 60 s,
     * at most 8 initiator sync sessions at once. Providers are found with {@link java.util.ServiceLoader}
     * (see {@link ProviderRegistry}); a missing one is a {@link ConfigurationException} naming what
     * is on the module path.
     */
    public static final class Builder {
        /** The discovery provider a bootstrap node serves peer exchange with. */
        private static final String BOOTSTRAP_DISCOVERY = "bootstrap";

        private PrivateKey key;
        private NetworkId networkId = NetworkId.DEFAULT;
        private String storeName = "memory";
        private ProviderOptions storeOptions = ProviderOptions.empty();
        private Store storeInstance;
        private final Map<String, ProviderOptions> transports = new LinkedHashMap<>();
        private String syncName = "log-sync";
        private ProviderOptions syncOptions = ProviderOptions.empty();
        private String gossipName;
        private boolean noGossip;
        private ProviderOptions gossipOptions = ProviderOptions.empty();
        private final Map<String, ProviderOptions> discoveries = new LinkedHashMap<>();
        private final List<NodeAddress> peers = new ArrayList<>();
        private final List<Flow.Subscriber<? super NodeEvent>> subscribers = new ArrayList<>();
        private final ProviderRegistry.Builder registry = ProviderRegistry.builder();
        private ProviderRegistry builtRegistry;
        private boolean explicitRegistry;
        private boolean explicitProviders;
        private InetSocketAddress bind;
        private boolean bootstrap;
        private Scheduler scheduler;
        private Executor executor;
        private Duration resyncInterval = Duration.ofSeconds(60);
        private Duration exchangeTimeout = Duration.ofSeconds(10);
        private int maxConcurrentSyncs = 8;
        private int maxAcceptedSyncs = 32;
        private int maxSyncRetries = 6;
        private Duration retryBase = Duration.ofMillis(500);
        private Duration retryMax = Duration.ofSeconds(30);
        private int eventBuffer = 1024;
        private int maxAddressBook = 4096;

        private Builder() {
        }

        /** The node's identity (default: a new random key). */
        public Builder privateKey(PrivateKey key) {
            this.key = Objects.requireNonNull(key, "key");
            return this;
        }

        /** Nodes of different networks never talk (default {@link NetworkId#DEFAULT}). */
        public Builder networkId(NetworkId networkId) {
            this.networkId = Objects.requireNonNull(networkId, "networkId");
            return this;
        }

        /** The store provider by name, with its options (e.g. "sqlite" with {@code path}). */
        public Builder store(String name, ProviderOptions options) {
            this.storeName = Objects.requireNonNull(name, "name");
            this.storeOptions = Objects.requireNonNull(options, "options");
            this.storeInstance = null;
            return this;
        }

        /** A store the app made itself; the node opens it on start but does not close it. */
        public Builder store(Store store) {
            this.storeInstance = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Adds a transport by provider name (default, if none is added: "quic-netty"). Several may
         * be added (e.g. a direct one and "relay"); dialing tries them in this order, staggered.
         */
        public Builder transport(String name, ProviderOptions options) {
            transports.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(options, "options"));
            return this;
        }

        public Builder transport(String name) {
            return transport(name, ProviderOptions.empty());
        }

        /** Adds a transport from a provider instance (not found on the module path, e.g. a test network's). */
        public Builder transport(TransportProvider provider, ProviderOptions options) {
            registry.transport(provider);
            explicitProviders = true;
            return transport(provider.name(), options);
        }

        /** The address and port the transports bind to, for those that take a {@code bind} option. */
        public Builder bind(InetSocketAddress address) {
            this.bind = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The sync provider (default "log-sync"). */
        public Builder sync(String name, ProviderOptions options) {
            this.syncName = Objects.requireNonNull(name, "name");
            this.syncOptions = Objects.requireNonNull(options, "options");
            return this;
        }

        /** The gossip provider (default "plumtree" if present). */
        public Builder gossip(String name, ProviderOptions options) {
            this.gossipName = Objects.requireNonNull(name, "name");
            this.gossipOptions = Objects.requireNonNull(options, "options");
            this.noGossip = false;
            return this;
        }

        public Builder gossip(String name) {
            return gossip(name, ProviderOptions.empty());
        }

        /** Adds a gossip provider instance and selects it. */
        public Builder gossip(GossipProvider provider, ProviderOptions options) {
            registry.gossip(provider);
            explicitProviders = true;
            return gossip(provider.name(), options);
        }

        /** No gossip: topics are kept in step by sync alone (no live mode, no ephemeral messages). */
        public Builder noGossip() {
            this.noGossip = true;
            this.gossipName = null;
            return this;
        }

        /** Adds a discovery provider by name (none by default). */
        public Builder discovery(String name, ProviderOptions options) {
            discoveries.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(options, "options"));
            return this;
        }

        public Builder discovery(String name) {
            return discovery(name, ProviderOptions.empty());
        }

        /** A peer to contact on start (may repeat). */
        public Builder peer(NodeAddress peer) {
            peers.add(Objects.requireNonNull(peer, "peer"));
            return this;
        }

        /**
         * Bootstrap mode: the node expects to know no peer at start and serves as the entry point
         * others name; its subscriptions are ready at once. It answers their peer exchange with
         * discovery "bootstrap": unless that discovery was added with
         * {@link #discovery(String, ProviderOptions)} (whose options then apply), it is added with
         * default options, which name no bootstrap peer of its own. {@link #build()} fails with a
         * {@link ConfigurationException} if no provider of that name is available (module
         * {@code dev.pando.discovery.bootstrap} not on the module path).
         */
        public Builder bootstrap() {
            this.bootstrap = true;
            return this;
        }

        /** A subscriber that sees every event from the node's creation on. */
        public Builder subscriber(Flow.Subscriber<? super NodeEvent> subscriber) {
            subscribers.add(Objects.requireNonNull(subscriber, "subscriber"));
            return this;
        }

        /** The scheduler (and clock) the node and its providers use (default: the system's). */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** The executor the node and its providers run work on (default: a pool the node owns). */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** How often topics are synced again with the peers that share them (default 60 s). */
        public Builder resyncInterval(Duration interval) {
            this.resyncInterval = positive(interval, "resyncInterval");
            return this;
        }

        /** At most this many sync sessions started by this node at once (default 8). */
        public Builder maxConcurrentSyncs(int sessions) {
            if (sessions < 1) {
                throw new IllegalArgumentException("maxConcurrentSyncs must be positive, got " + sessions);
            }
            this.maxConcurrentSyncs = sessions;
            return this;
        }

        /** A failed session is retried after {@code base} × 2^(n-1) (capped at {@code max}) ± 50 %, up to 6 times. */
        public Builder syncRetry(Duration base, Duration max) {
            this.retryBase = positive(base, "base");
            this.retryMax = positive(max, "max");
            return this;
        }

        /** Each event subscriber's buffer, in events (default 1024). */
        public Builder eventBuffer(int events) {
            if (events < 1) {
                throw new IllegalArgumentException("eventBuffer must be positive, got " + events);
            }
            this.eventBuffer = events;
            return this;
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }

        /**
         * Selects providers from {@code registry} instead of the module path (e.g. a command line's,
         * or one built with explicit providers). Not with {@link #transport(TransportProvider,
         * ProviderOptions)} or {@link #gossip(GossipProvider, ProviderOptions)}: add those to the
         * registry.
         */
        public Builder providers(ProviderRegistry registry) {
            this.builtRegistry = Objects.requireNonNull(registry, "registry");
            this.explicitRegistry = true;
            return this;
        }

        ProviderRegistry registry() {
            if (builtRegistry == null) {
                builtRegistry = registry.build();
            }
            return builtRegistry;
        }

        Map<String, ProviderOptions> transports() {
            return transports.isEmpty() ? Map.of("quic-netty", ProviderOptions.empty()) : transports;
        }

        /**
         * The discoveries to make: those added, plus "bootstrap" with default
         * options in bootstrap mode if it was not added.
         *
         * @throws ConfigurationException in bootstrap mode if {@code r} has no provider of that name
         */
        Map<String, ProviderOptions> discoveries(ProviderRegistry r) {
            if (!bootstrap || discoveries.containsKey(BOOTSTRAP_DISCOVERY)) {
                return discoveries;
            }
            if (r.findDiscovery(BOOTSTRAP_DISCOVERY).isEmpty()) {
                throw new ConfigurationException("bootstrap mode serves peer exchange with the discovery provider \""
                        + BOOTSTRAP_DISCOVERY + "\", which is not available (put module dev.pando.discovery.bootstrap, "
                        + "artifact pando-discovery-bootstrap, on the module path); discovery providers found: "
                        + r.discoveries().stream().map(dev.pando.spi.DiscoveryProvider::name).toList());
            }
            Map<String, ProviderOptions> all = new LinkedHashMap<>(discoveries);
            all.put(BOOTSTRAP_DISCOVERY, ProviderOptions.empty());
            return all;
        }

        String gossipName(ProviderRegistry r) {
            if (noGossip) {
                return null;
            }
            if (gossipName != null) {
                return gossipName;
            }
            return r.findGossip("plumtree").isPresent() ? "plumtree" : null;
        }

        /**
         * Makes the node without I/O: providers are created (options checked), nothing is opened or
         * bound until {@link Node#start()}.
         *
         * @throws ConfigurationException for a missing provider or invalid options
         */
        public Node build() {
            if (explicitRegistry && explicitProviders) {
                throw new IllegalStateException("providers(registry) and provider instances cannot be combined: "
                        + "add the instances to the registry");
            }
            return new Node(this);
        }

        /** {@link #build()} then {@link Node#start()}. */
        public Node start() {
            return build().start();
        }
    }
}
