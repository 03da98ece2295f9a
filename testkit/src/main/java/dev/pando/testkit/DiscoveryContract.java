package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.spi.Discovery;
import dev.pando.spi.DiscoveryEvent;
import dev.pando.spi.EventSink;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link Discovery} must show, as the {@code dev.pando.spi} Javadoc states it.
 * Extend it and make a discovery in {@link #create(int, PublicKey, NetworkId)} (or, for a discovery
 * that signs, {@link #create(int, PrivateKey, NetworkId)}): the suite starts, changes and closes it, and
 * reads the events it emitted.
 *
 * <p><b>Sites.</b> Each discovery of a case lives at a site, 0, 1 or 2, never two at one site at
 * once: places that can see each other, which the subclass sets up (for mDNS, one network
 * namespace each on a shared link; for an in-process discovery, whatever shared state it uses).
 * {@link #create} may therefore return a {@link DiscoveryUnderTest} that drives a discovery in
 * another process; {@link #inProcess} wraps one running in this JVM:
 *
 * <pre>{@code
 * class MyDiscoveryTest extends DiscoveryContract {
 *     @Override
 *     protected DiscoveryUnderTest create(int site, PublicKey nodeId, NetworkId networkId) {
 *         return inProcess(sink -> new MyDiscoveryProvider().create(new DiscoveryContext(
 *                 nodeId, networkId, ProviderOptions.empty(), NodeServices.system().withEvents(sink))));
 *     }
 * }
 * }</pre>
 *
 * <p>A discovery that cannot pass a case lists it in {@link #knownLimitations()} with the measured
 * reason (one that never notices departures lists {@link DiscoveryCase#A_LEAVING_PEER_IS_REPORTED_LOST});
 * the case is then reported as aborted (skipped) with the reason, never silently.
 *
 * <p>Timing: cases wait for what must happen up to {@link #discoveryDeadline()} (generous: a busy
 * machine must pass) and watch for what must not happen during {@link #quietPeriod()}.
 */
@Timeout(240)
public abstract class DiscoveryContract {

    /** The cases of this contract, one per test, for {@link #knownLimitations()}. */
    public enum DiscoveryCase {
        /** A second {@code start} throws {@link IllegalStateException}. */
        START_TWICE_FAILS,
        /** {@code close} twice, and close of a discovery never started, throw nothing. */
        CLOSE_IS_IDEMPOTENT,
        /** {@code start} after {@code close} throws {@link IllegalStateException}. */
        START_AFTER_CLOSE_FAILS,
        /** Two nodes of one network find each other, each with the other's addresses, from one source. */
        TWO_NODES_FIND_EACH_OTHER,
        /** A discovery never reports its own node. */
        NEVER_REPORTS_ITSELF,
        /** Nodes of another network are never reported. */
        OTHER_NETWORKS_ARE_IGNORED,
        /** A found node is reported once, not again while nothing changes. */
        A_PEER_IS_REPORTED_ONCE,
        /** A node whose addresses change is reported again once, with the new addresses. */
        CHANGED_ADDRESSES_ARE_REPORTED_ONCE,
        /** A node that closes its discovery is reported lost. */
        A_LEAVING_PEER_IS_REPORTED_LOST,
        /** A closed discovery reports nothing more. */
        A_CLOSED_DISCOVERY_REPORTS_NOTHING
    }

    /**
     * One discovery under test, as the suite drives it: the three {@link Discovery} methods, and
     * the events it has emitted so far. Implementations forward to a {@link Discovery}, in this
     * JVM or another process, and rethrow its {@link IllegalStateException}s as such. The suite
     * calls every method from the test's thread; {@link #events()} must be safe to call while
     * the discovery emits from its own threads.
     */
    public interface DiscoveryUnderTest extends AutoCloseable {
        /** {@link Discovery#start}. */
        void start(List<NodeAddress> ownAddresses);

        /** {@link Discovery#addressesChanged}. */
        void addressesChanged(List<NodeAddress> ownAddresses);

        /** {@link Discovery#close}. The suite may still call {@link #start} afterwards (it must fail). */
        @Override
        void close();

        /**
         * Frees what the wrapper itself holds (a process, a thread), after the case; called once,
         * after {@link #close}. Nothing by default.
         */
        default void release() {
        }

        /** Every event emitted so far, in order; a snapshot. Callable before start and after close. */
        List<DiscoveryEvent> events();
    }

    /**
     * A new, unstarted discovery of node {@code nodeId} in network {@code networkId} at
     * {@code site} (0, 1 or 2). Called up to three times per case; the suite closes each.
     */
    protected DiscoveryUnderTest create(int site, PublicKey nodeId, NetworkId networkId) {
        throw new IllegalStateException(getClass().getName() + " must override one of the two create methods");
    }

    /**
     * As {@link #create(int, PublicKey, NetworkId)}, with the node's private key, for a discovery
     * that signs what it announces (the node hands it a {@code DiscoverySigner}). Override this one
     * or the other; by default it calls the other with {@code identity.publicKey()}.
     */
    protected DiscoveryUnderTest create(int site, PrivateKey identity, NetworkId networkId) {
        return create(site, identity.publicKey(), networkId);
    }

    /**
     * The address the node at {@code site} announces; {@code variant} 1 is the changed one (by
     * default: variant 0's address plus a second one). The suite only compares what is reported
     * with what was announced; nothing dials these addresses. By default loopback addresses.
     */
    protected NodeAddress address(int site, PublicKey nodeId, int variant) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<InetSocketAddress> direct = new ArrayList<>();
        direct.add(new InetSocketAddress(loopback, 41000 + site));
        if (variant > 0) {
            direct.add(new InetSocketAddress(loopback, 42000 + 10 * site + variant));
        }
        return new NodeAddress(nodeId, direct, java.util.Optional.empty());
    }

    /** How long to wait for something that must happen (a discovery, a loss). Default 60 s. */
    protected Duration discoveryDeadline() {
        return Duration.ofSeconds(60);
    }

    /** How long to watch for something that must not happen. Default 8 s. */
    protected Duration quietPeriod() {
        return Duration.ofSeconds(8);
    }

    /**
     * Cases this discovery cannot pass, each with the measured reason; such a case is aborted
     * (reported as skipped) with the reason, never silently. Empty by default.
     */
    protected Map<DiscoveryCase, String> knownLimitations() {
        return Map.of();
    }

    /** Wraps a discovery running in this JVM; {@code factory} makes it with the sink to emit to. */
    public static DiscoveryUnderTest inProcess(Function<EventSink, Discovery> factory) {
        List<DiscoveryEvent> events = new CopyOnWriteArrayList<>();
        Discovery discovery = factory.apply(e -> {
            if (e instanceof DiscoveryEvent d) {
                events.add(d);
            }
        });
        return new DiscoveryUnderTest() {
            @Override
            public void start(List<NodeAddress> ownAddresses) {
                discovery.start(ownAddresses);
            }

            @Override
            public void addressesChanged(List<NodeAddress> ownAddresses) {
                discovery.addressesChanged(ownAddresses);
            }

            @Override
            public void close() {
                discovery.close();
            }

            @Override
            public List<DiscoveryEvent> events() {
                return List.copyOf(events);
            }
        };
    }

    private final List<DiscoveryUnderTest> made = new ArrayList<>();
    /** The network of the nodes of every case (the stranger of {@link DiscoveryCase#OTHER_NETWORKS_ARE_IGNORED} excepted). */
    protected static final NetworkId NETWORK = NetworkId.named("discovery-contract");
    private static final NetworkId OTHER_NETWORK = NetworkId.named("discovery-contract/other");

    private record Node(PublicKey id, DiscoveryUnderTest discovery, int site) {
    }

    private Node node(int site, NetworkId network) {
        PrivateKey key = PrivateKey.generate();
        PublicKey id = key.publicKey();
        DiscoveryUnderTest d = create(site, key, network);
        made.add(d);
        return new Node(id, d, site);
    }

    private Node started(int site, NetworkId network) {
        Node n = node(site, network);
        n.discovery.start(List.of(address(site, n.id, 0)));
        return n;
    }

    @AfterEach
    void closeAll() {
        RuntimeException first = null;
        for (DiscoveryUnderTest d : made) {
            try {
                d.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            } finally {
                d.release();
            }
        }
        made.clear();
        if (first != null) {
            throw first;
        }
    }

    private void limitation(DiscoveryCase c) {
        KnownLimitations.abortIfListed(knownLimitations(), c);
    }

    private static List<DiscoveryEvent.PeerDiscovered> discoveredOf(Node observer, PublicKey peer) {
        List<DiscoveryEvent.PeerDiscovered> result = new ArrayList<>();
        for (DiscoveryEvent e : observer.discovery.events()) {
            if (e instanceof DiscoveryEvent.PeerDiscovered d && d.address().nodeId().equals(peer)) {
                result.add(d);
            }
        }
        return result;
    }

    private static boolean lostOf(Node observer, PublicKey peer) {
        return observer.discovery.events().stream()
                .anyMatch(e -> e instanceof DiscoveryEvent.PeerLost l && l.nodeId().equals(peer));
    }

    private void awaitFound(Node observer, Node peer, NodeAddress expected) {
        await("site " + observer.site + " to discover site " + peer.site + " at " + expected.toText())
                .atMost(discoveryDeadline()).pollInterval(Duration.ofMillis(100))
                .until(() -> discoveredOf(observer, peer.id).stream().anyMatch(d -> d.address().equals(expected)));
    }

    private void awaitMutual(Node a, Node b) {
        awaitFound(a, b, address(b.site, b.id, 0));
        awaitFound(b, a, address(a.site, a.id, 0));
    }

    /** Watches for {@link #quietPeriod()} that {@code condition} stays true. */
    private void staysTrue(String what, java.util.concurrent.Callable<Boolean> condition) {
        await(what).during(quietPeriod()).atMost(quietPeriod().plus(discoveryDeadline()))
                .pollInterval(Duration.ofMillis(100)).until(condition);
    }

    @Test
    void knownLimitationsAreExplained() {
        KnownLimitations.assertExplained(knownLimitations());
    }

    @Test
    void startTwiceFails() {
        limitation(DiscoveryCase.START_TWICE_FAILS);
        Node a = started(0, NETWORK);
        assertThatThrownBy(() -> a.discovery.start(List.of(address(0, a.id, 0))))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeIsIdempotent() {
        limitation(DiscoveryCase.CLOSE_IS_IDEMPOTENT);
        Node a = started(0, NETWORK);
        a.discovery.close();
        a.discovery.close();
        Node never = node(1, NETWORK);
        never.discovery.close();
        never.discovery.close();
        assertThat(never.discovery.events()).isEmpty();
    }

    @Test
    void startAfterCloseFails() {
        limitation(DiscoveryCase.START_AFTER_CLOSE_FAILS);
        Node a = node(0, NETWORK);
        a.discovery.close();
        assertThatThrownBy(() -> a.discovery.start(List.of(address(0, a.id, 0))))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void twoNodesFindEachOther() {
        limitation(DiscoveryCase.TWO_NODES_FIND_EACH_OTHER);
        Node a = started(0, NETWORK);
        Node b = started(1, NETWORK);
        awaitMutual(a, b);
        List<String> sources = new ArrayList<>();
        for (Node n : List.of(a, b)) {
            for (DiscoveryEvent e : n.discovery.events()) {
                sources.add(e instanceof DiscoveryEvent.PeerDiscovered d ? d.source() : ((DiscoveryEvent.PeerLost) e).source());
            }
        }
        assertThat(sources).as("every event names one source").isNotEmpty().allSatisfy(s -> assertThat(s).isNotBlank());
        assertThat(sources.stream().distinct()).hasSize(1);
    }

    @Test
    void neverReportsItself() {
        limitation(DiscoveryCase.NEVER_REPORTS_ITSELF);
        Node a = started(0, NETWORK);
        Node b = started(1, NETWORK);
        awaitMutual(a, b);
        staysTrue("no node reports itself", () -> discoveredOf(a, a.id).isEmpty() && discoveredOf(b, b.id).isEmpty());
    }

    @Test
    void otherNetworksAreIgnored() {
        limitation(DiscoveryCase.OTHER_NETWORKS_ARE_IGNORED);
        Node a = started(0, NETWORK);
        Node b = started(1, NETWORK);
        Node stranger = started(2, OTHER_NETWORK);
        awaitMutual(a, b);
        staysTrue("nodes of two networks never report each other", () -> discoveredOf(a, stranger.id).isEmpty()
                && discoveredOf(b, stranger.id).isEmpty()
                && stranger.discovery.events().stream().noneMatch(e -> e instanceof DiscoveryEvent.PeerDiscovered));
    }

    @Test
    void aPeerIsReportedOnce() {
        limitation(DiscoveryCase.A_PEER_IS_REPORTED_ONCE);
        Node a = started(0, NETWORK);
        Node b = started(1, NETWORK);
        awaitMutual(a, b);
        staysTrue("each node reported once", () -> discoveredOf(a, b.id).size() == 1 && discoveredOf(b, a.id).size() == 1);
    }

    @Test
    void changedAddressesAreReportedOnce() {
        limitation(DiscoveryCase.CHANGED_ADDRESSES_ARE_REPORTED_ONCE);
        Node a = started(0, NETWORK);
        Node b = started(1, NETWORK);
        awaitMutual(a, b);
        NodeAddress changed = address(1, b.id, 1);
        assertThat(changed).isNotEqualTo(address(1, b.id, 0));
        int before = discoveredOf(a, b.id).size();
        b.discovery.addressesChanged(List.of(changed));
        awaitFound(a, b, changed);
        staysTrue("the change reported once", () -> discoveredOf(a, b.id).size() == before + 1);
        assertThat(discoveredOf(a, b.id).get(before).address()).isEqualTo(changed);
    }

    @Test
    void aLeavingPeerIsReportedLost() {
        limitation(DiscoveryCase.A_LEAVING_PEER_IS_REPORTED_LOST);
        Node a = started(0, NETWORK);
        Node b = started(1, NETWORK);
        awaitMutual(a, b);
        assertThat(lostOf(a, b.id)).isFalse();
        b.discovery.close();
        await("site 0 to notice that site 1 left").atMost(discoveryDeadline()).pollInterval(Duration.ofMillis(100))
                .until(() -> lostOf(a, b.id));
        List<DiscoveryEvent> events = a.discovery.events();
        int lost = -1;
        int found = -1;
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) instanceof DiscoveryEvent.PeerLost l && l.nodeId().equals(b.id)) {
                lost = i;
            }
            if (events.get(i) instanceof DiscoveryEvent.PeerDiscovered d && d.address().nodeId().equals(b.id) && found < 0) {
                found = i;
            }
        }
        assertThat(found).as("the loss follows the discovery").isLessThan(lost);
    }

    @Test
    void aClosedDiscoveryReportsNothing() {
        limitation(DiscoveryCase.A_CLOSED_DISCOVERY_REPORTS_NOTHING);
        Node a = started(0, NETWORK);
        a.discovery.close();
        List<DiscoveryEvent> atClose = a.discovery.events();
        Node b = started(1, NETWORK);
        Node c = started(2, NETWORK);
        awaitMutual(b, c);
        staysTrue("a closed discovery emits nothing", () -> a.discovery.events().equals(atClose));
        assertThat(discoveredOf(b, a.id)).as("a node closed before the others started is not found").isEmpty();
    }
}
