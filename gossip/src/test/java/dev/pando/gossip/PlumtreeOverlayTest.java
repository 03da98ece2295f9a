package dev.pando.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.GossipContext;
import dev.pando.spi.GossipListener;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.testkit.support.MemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HyParView and PlumTree behaviour of "plumtree" that the Gossip contract does not pin down. */
class PlumtreeOverlayTest {
    private static final TopicId TOPIC = TopicId.named("plumtree-overlay-test");
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private final MemoryNetwork network = MemoryNetwork.create();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        network.close();
    }

    final class Node implements GossipListener {
        final PublicKey id;
        final Transport transport;
        final PlumtreeGossip gossip;
        Overlay topic;
        final List<String> received = new CopyOnWriteArrayList<>();
        final Set<PublicKey> neighbours = ConcurrentHashMap.newKeySet();

        Node(ProviderOptions options) {
            PrivateKey key = PrivateKey.generate();
            id = key.publicKey();
            transport = network.transport(key, NetworkId.DEFAULT);
            gossip = (PlumtreeGossip) new PlumtreeGossipProvider().create(
                    new GossipContext(id, NetworkId.DEFAULT, transport, options, NodeServices.system()));
            gossip.start();
            transport.start();
            open.add(transport);
            open.add(gossip);
        }

        void join(List<NodeAddress> known) {
            topic = (Overlay) gossip.join(TOPIC, known, this);
        }

        NodeAddress address() {
            return transport.localAddress();
        }

        @Override
        public void received(byte[] message, PublicKey from) {
            received.add(new String(message, StandardCharsets.UTF_8));
        }

        @Override
        public void neighbourUp(PublicKey peer) {
            neighbours.add(peer);
        }

        @Override
        public void neighbourDown(PublicKey peer) {
            neighbours.remove(peer);
        }
    }

    private List<Node> overlay(int n, ProviderOptions options) {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Node node = new Node(options);
            node.join(i == 0 ? List.of() : List.of(nodes.get(0).address()));
            nodes.add(node);
        }
        return nodes;
    }

    private static boolean connected(List<Node> nodes) {
        Set<PublicKey> reached = new HashSet<>();
        List<Node> todo = new ArrayList<>(List.of(nodes.get(0)));
        reached.add(nodes.get(0).id);
        while (!todo.isEmpty()) {
            Node n = todo.remove(todo.size() - 1);
            for (PublicKey p : n.topic.activeView()) {
                for (Node o : nodes) {
                    if (o.id.equals(p) && reached.add(p)) {
                        todo.add(o);
                    }
                }
            }
        }
        return reached.size() == nodes.size();
    }

    /** Waits until {@code nodes}' active views connect them all; else fails showing every view. */
    private static void awaitConnected(List<Node> nodes) {
        awaitShowingViews("the overlay stayed split", nodes, () -> connected(nodes));
    }

    /** {@link #awaitUntil}, failing with {@code what} and every node's views (as indexes in {@code nodes}). */
    private static void awaitShowingViews(String what, List<Node> nodes, java.util.concurrent.Callable<Boolean> condition) {
        try {
            awaitUntil(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            StringBuilder views = new StringBuilder(what + "; views (index: active / eager / passive / received):");
            List<PublicKey> ids = nodes.stream().map(n -> n.id).toList();
            for (Node n : nodes) {
                views.append("\n  ").append(ids.indexOf(n.id)).append(": ")
                        .append(n.topic.activeView().stream().map(ids::indexOf).toList()).append(" / ")
                        .append(n.topic.eagerPeers().stream().map(ids::indexOf).toList()).append(" / ")
                        .append(n.topic.passiveView().stream().map(ids::indexOf).toList()).append(" / ")
                        .append(n.received);
            }
            throw new AssertionError(views.toString(), e);
        }
    }

    /** A bare peer speaking the wire by hand: its transport, its connection to {@code target}, and
     * the stream it writes, greeting already sent. */
    private record RawPeer(Transport transport, Connection connection, DuplexStream out) {
        NodeAddress address() {
            return transport.localAddress();
        }
    }

    private RawPeer rawPeer(Node target) {
        Transport t = network.transport(PrivateKey.generate(), NetworkId.DEFAULT);
        open.add(t);
        t.start();
        Connection c = t.dial(target.address(), PlumtreeGossipProvider.PROTOCOL).join();
        DuplexStream s = c.openStream().join();
        s.write(Wire.hello());
        return new RawPeer(t, c, s);
    }

    private static void awaitUntil(java.util.concurrent.Callable<Boolean> condition) {
        await().atMost(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).pollInterval(20, TimeUnit.MILLISECONDS).until(condition);
    }

    @Test
    void activeViewsStayWithinTheirBoundAndTheOverlayStaysConnected() {
        List<Node> nodes = overlay(10, ProviderOptions.of("active_view", "3"));
        awaitConnected(nodes);
        for (Node n : nodes) {
            assertThat(n.topic.activeView()).hasSizeLessThanOrEqualTo(3).doesNotContain(n.id);
        }
        // everyone joined through node 0, whose active view holds 3: the others were evicted into
        // passive views or passed on by FORWARD_JOIN, and still every broadcast reaches everyone
        nodes.get(9).topic.broadcast("all of them".getBytes(StandardCharsets.UTF_8));
        awaitShowingViews("a broadcast did not reach everyone", nodes,
                () -> nodes.subList(0, 9).stream().allMatch(n -> n.received.contains("all of them")));
    }

    @Test
    void aNodeWhoseNeighboursAllLeaveFindsNewOnesInItsPassiveView() {
        // small active views (a view of 2 can split 8 nodes into separate rings) and fast shuffles
        ProviderOptions options = ProviderOptions.of("active_view", "3", "shuffle_interval", "300ms");
        List<Node> nodes = overlay(10, options);
        awaitConnected(nodes);
        Node lonely = nodes.get(9);
        // wait until its spares include a node that is not among its current neighbours
        awaitUntil(() -> {
            List<PublicKey> spares = new ArrayList<>(lonely.topic.passiveView());
            spares.removeAll(lonely.topic.activeView());
            return !spares.isEmpty();
        });
        Set<PublicKey> leaving = new HashSet<>(lonely.topic.activeView());
        assertThat(leaving).isNotEmpty();
        for (Node n : nodes) {
            if (leaving.contains(n.id)) {
                n.topic.close();
            }
        }
        awaitShowingViews("node 9 found no new neighbour", nodes, () -> {
            List<PublicKey> now = lonely.topic.activeView();
            return !now.isEmpty() && now.stream().noneMatch(leaving::contains);
        });
        List<Node> stayed = nodes.stream().filter(n -> !leaving.contains(n.id)).toList();
        awaitConnected(stayed);
        stayed.get(0).topic.broadcast("still reached".getBytes(StandardCharsets.UTF_8));
        awaitUntil(() -> lonely.received.contains("still reached") || lonely == stayed.get(0));
        for (Node n : stayed.subList(1, stayed.size())) {
            awaitUntil(() -> n.received.contains("still reached"));
        }
    }

    @Test
    void duplicatesPruneLinksAndAreCounted() {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            nodes.add(new Node(ProviderOptions.empty()));
        }
        List<NodeAddress> all = nodes.stream().map(Node::address).toList();
        for (Node n : nodes) {
            n.join(all);
        }
        awaitUntil(() -> nodes.stream().allMatch(n -> n.topic.activeView().size() == 4));
        // a full mesh of 5 first pushes a message over all 4 + 4 * 3 links; each duplicate prunes
        // its link to a lazy one, until the eager links form a tree
        nodes.get(0).topic.broadcast("first".getBytes(StandardCharsets.UTF_8));
        for (Node n : nodes.subList(1, 5)) {
            awaitUntil(() -> n.received.contains("first"));
        }
        awaitUntil(() -> nodes.stream().mapToInt(n -> n.topic.eagerPeers().size()).sum() < 20);
        long before = duplicates(nodes);
        assertThat(before).as("the duplicates that caused the prunes are counted").isPositive();
        for (int i = 0; i < 20; i++) {
            nodes.get(0).topic.broadcast(("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        for (Node n : nodes.subList(1, 5)) {
            awaitUntil(() -> n.received.size() == 21);
        }
        // without pruning the 20 would bring 20 * 12 duplicates
        assertThat(duplicates(nodes) - before).isLessThan(20 * 12);
        long prunes = 0;
        for (Node n : nodes) {
            prunes += n.gossip.counters().orElseThrow().prunes();
            assertThat(n.gossip.counters().orElseThrow().delivered()).isEqualTo(n == nodes.get(0) ? 0 : 21);
        }
        assertThat(prunes).isPositive();
    }

    private static long duplicates(List<Node> nodes) {
        long duplicates = 0;
        for (Node n : nodes) {
            duplicates += n.gossip.counters().orElseThrow().duplicates();
        }
        return duplicates;
    }

    @Test
    void aPeerOverItsInboundRateIsDisconnectedAndCounted() {
        Node target = new Node(ProviderOptions.of("inbound_frames_per_second", "50"));
        target.join(List.of());
        RawPeer hostile = rawPeer(target);
        Connection c = hostile.connection();
        DuplexStream s = hostile.out();
        byte[] prune = Wire.encode(TOPIC, new Wire.Prune());
        try {
            for (int i = 0; i < 200 && c.isOpen(); i++) {
                s.write(prune);
            }
        } catch (RuntimeException e) {
            // cut off while writing: what the test waits for
        }
        awaitUntil(() -> !c.isOpen());
        assertThat(target.gossip.counters().orElseThrow().peersDisconnected()).isEqualTo(1);
    }

    @Test
    void aJoinInAnotherNodesNameIsDisconnected() {
        Node target = new Node(ProviderOptions.empty());
        target.join(List.of());
        RawPeer hostile = rawPeer(target);
        hostile.out().write(Wire.encode(TOPIC, new Wire.Join(target.address())));
        awaitUntil(() -> !hostile.connection().isOpen());
        assertThat(target.gossip.counters().orElseThrow().peersDisconnected()).isEqualTo(1);
        assertThat(target.topic.activeView()).isEmpty();
    }

    @Test
    void aMessageBroadcastBeforeAnyNeighbourReachesTheFirstOne() {
        Node early = new Node(ProviderOptions.empty());
        early.join(List.of());
        early.topic.broadcast("before anyone".getBytes(StandardCharsets.UTF_8));
        Node later = new Node(ProviderOptions.empty());
        later.join(List.of(early.address()));
        // the new link announces the message (IHAVE) and the newcomer asks for it (GRAFT)
        awaitUntil(() -> later.received.contains("before anyone"));
        assertThat(later.received).containsExactly("before anyone");
    }

    @Test
    void aSpareStaysASpareWhenItsLinkIsReleased() {
        // a full view of one: a request for a place is refused and the asker kept as a spare
        Node target = new Node(ProviderOptions.of("active_view", "1"));
        target.join(List.of());
        Node neighbour = new Node(ProviderOptions.of("active_view", "1"));
        neighbour.join(List.of(target.address()));
        awaitUntil(() -> target.topic.activeView().contains(neighbour.id));
        RawPeer peer = rawPeer(target);
        PublicKey peerId = peer.address().nodeId();
        peer.out().write(Wire.encode(TOPIC, new Wire.Neighbor(peer.address(), false)));
        awaitUntil(() -> target.topic.passiveView().contains(peerId));
        // the link was only for the request: it closes (released by either side), the spare stays
        peer.connection().close();
        awaitUntil(() -> !target.gossip.linkedTo(peerId));
        assertThat(target.topic.activeView()).containsExactly(neighbour.id);
        assertThat(target.topic.passiveView()).contains(peerId);
    }

    @Test
    void aNodeNotInATopicAnswersARequestForItWithAGoodbye() throws Exception {
        Node target = new Node(ProviderOptions.empty());
        target.join(List.of());
        RawPeer peer = rawPeer(target);
        DuplexStream in = peer.connection().acceptStream().get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        TopicId elsewhere = TopicId.named("a topic the target is not in");
        peer.out().write(Wire.encode(elsewhere, new Wire.Neighbor(peer.address(), true)));
        byte[] hello = new byte[Wire.hello().length];
        in.readFully(hello, 0, hello.length);
        assertThat(hello).isEqualTo(Wire.hello());
        byte[] length = new byte[4];
        in.readFully(length, 0, 4);
        byte[] body = new byte[java.nio.ByteBuffer.wrap(length).getInt()];
        in.readFully(body, 0, body.length);
        Wire.Decoded answer = Wire.decode(body, 1 << 16);
        assertThat(answer.topic()).isEqualTo(elsewhere);
        assertThat(answer.message()).isEqualTo(new Wire.Disconnect(false));
        assertThat(target.gossip.counters().orElseThrow().peersDisconnected()).isZero();
    }
}
