package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.Gossip;
import dev.pando.spi.GossipContext;
import dev.pando.spi.GossipCounters;
import dev.pando.spi.GossipListener;
import dev.pando.spi.GossipProvider;
import dev.pando.spi.GossipTopic;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.testkit.support.MemoryNetwork;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link GossipProvider} must show, as the {@code dev.pando.spi} Javadoc of
 * {@link Gossip}, {@link GossipTopic} and {@link GossipListener} states it. Extend it, name your
 * provider in {@link #provider()} and give the hostile inputs your wire must refuse in
 * {@link #hostileInputs()}; every case runs several nodes, each with its own transport (by default
 * on one {@link MemoryNetwork}, see {@link #createTransport}) and gossip service:
 *
 * <pre>{@code
 * class MyGossipTest extends GossipContract {
 *     @Override
 *     protected GossipProvider provider() {
 *         return new MyGossipProvider();
 *     }
 *
 *     @Override
 *     protected String protocol() {
 *         return "my/gossip/1";
 *     }
 *
 *     @Override
 *     protected Map<String, byte[]> hostileInputs() {
 *         return Map.of("garbage", new byte[] {0, 0, 0, 3, 9, 9, 9}, "oversized", new byte[] {0x7f, -1, -1, -1});
 *     }
 * }
 * }</pre>
 *
 * A provider that cannot pass a case lists it in {@link #knownLimitations()} with the measured
 * reason: the case is then reported as aborted (skipped), never silently.
 */
@Timeout(180)
public abstract class GossipContract {
    private static final TopicId TOPIC = TopicId.named("gossip-contract/lobby");
    private static final TopicId OTHER_TOPIC = TopicId.named("gossip-contract/elsewhere");
    /** How long a case waits for what must happen: long, so a loaded machine never hits it. */
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** How long "promptly" may take for a neighbour-down after a connection loss. */
    private static final Duration PROMPTLY = Duration.ofSeconds(10);

    /** The cases of this contract, one per test, for {@link #knownLimitations()}; each is named after its test. */
    public enum GossipCase {
        A_BROADCAST_REACHES_EVERY_NODE,
        EACH_MESSAGE_ARRIVES_ONCE_AND_EQUAL_PAYLOADS_ARE_DISTINCT_MESSAGES,
        DELIVERED_FROM_IS_A_NEIGHBOUR,
        AN_OVERSIZED_BROADCAST_IS_AN_ERROR,
        A_BOOTSTRAP_NODE_ACCEPTS_NEIGHBOURS,
        NEIGHBOURS_GO_DOWN_WHEN_A_TOPIC_IS_LEFT,
        NEIGHBOURS_GO_DOWN_PROMPTLY_ON_CONNECTION_LOSS,
        A_LEFT_TOPIC_HEARS_NOTHING_AND_CAN_BE_JOINED_AGAIN,
        JOIN_FAILS_BEFORE_START_TWICE_AND_AFTER_CLOSE,
        TOPICS_ARE_SEPARATE,
        A_HOSTILE_PEER_IS_DISCONNECTED_AND_THE_SERVICE_KEEPS_WORKING
    }

    /** The provider under test; called for every node. */
    protected abstract GossipProvider provider();

    /** The protocol name the provider dials and accepts on the transport. */
    protected abstract String protocol();

    /**
     * Byte sequences that a peer which dialed {@link #protocol()} and opened a stream may send and
     * after which the provider must close its connection to that peer (garbage, an oversized frame,
     * whatever the wire refuses), by a name for messages. Each is sent on a fresh connection.
     */
    protected abstract Map<String, byte[]> hostileInputs();

    /** The options of every node's gossip service; empty by default. */
    protected ProviderOptions options() {
        return ProviderOptions.empty();
    }

    /**
     * A new, unstarted transport for one node. By default one on this case's {@link MemoryNetwork}
     * (system clock, perfect links); override to run the contract over another transport.
     */
    protected Transport createTransport(PrivateKey identity, NodeServices services) {
        return network.transport(new TransportContext(identity, NetworkId.DEFAULT, ProviderOptions.empty(), services));
    }

    /**
     * Cases this provider cannot pass, each with the measured reason (e.g. "missed 1 of 20
     * messages in 3 runs"); such a case is aborted (reported as skipped) with the reason, never
     * silently. Empty by default: every case must pass.
     */
    protected Map<GossipCase, String> knownLimitations() {
        return Map.of();
    }

    private void limitation(GossipCase c) {
        KnownLimitations.abortIfListed(knownLimitations(), c);
    }

    /** The in-memory network of the running case (the default transport's medium). */
    protected MemoryNetwork network;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void createNetwork() {
        network = MemoryNetwork.create();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        closeables.clear();
        network.close();
    }

    @Test
    void knownLimitationsAreExplained() {
        KnownLimitations.assertExplained(knownLimitations());
    }

    // ---- the cases ----------------------------------------------------------------------------

    @Test
    void aBroadcastReachesEveryNode() {
        limitation(GossipCase.A_BROADCAST_REACHES_EVERY_NODE);
        List<Member> members = overlay(8);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Member sender = members.get(i % members.size());
            String text = "message " + i + " from " + i % members.size();
            sender.topic.broadcast(bytes(text));
            sent.add(text);
        }
        for (int m = 0; m < members.size(); m++) {
            Member member = members.get(m);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < sent.size(); i++) {
                if (i % members.size() != m) {
                    expected.add(sent.get(i));
                }
            }
            patiently().untilAsserted(() -> assertThat(member.recorder.texts()).containsExactlyInAnyOrderElementsOf(expected));
        }
    }

    @Test
    void eachMessageArrivesOnceAndEqualPayloadsAreDistinctMessages() {
        limitation(GossipCase.EACH_MESSAGE_ARRIVES_ONCE_AND_EQUAL_PAYLOADS_ARE_DISTINCT_MESSAGES);
        // everyone knows everyone: many redundant paths, so duplicates are on the wire
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            members.add(member());
        }
        List<NodeAddress> all = members.stream().map(Member::address).toList();
        for (Member m : members) {
            m.join(TOPIC, all);
        }
        awaitConnected(members);
        Member sender = members.get(0);
        for (int i = 0; i < 5; i++) {
            sender.topic.broadcast(bytes("same"));
        }
        sender.topic.broadcast(bytes("last"));
        for (Member m : members.subList(1, members.size())) {
            patiently().until(() -> m.recorder.texts().contains("last") && m.recorder.count("same") >= 5);
        }
        // a duplicate would arrive through a longer path later: give the overlay a round more
        // (another broadcast that must arrive after the earlier ones were forwarded everywhere)
        sender.topic.broadcast(bytes("after"));
        for (Member m : members.subList(1, members.size())) {
            patiently().until(() -> m.recorder.texts().contains("after"));
            assertThat(m.recorder.count("same")).as("copies of five equal broadcasts at %s", m.id).isEqualTo(5);
            assertThat(m.recorder.count("last")).isEqualTo(1);
        }
        assertThat(sender.recorder.texts()).as("the sender is not told of its own messages").isEmpty();
    }

    @Test
    void deliveredFromIsANeighbour() {
        limitation(GossipCase.DELIVERED_FROM_IS_A_NEIGHBOUR);
        List<Member> members = overlay(7);
        for (int i = 0; i < 10; i++) {
            members.get(i % 3).topic.broadcast(bytes("m" + i));
        }
        for (Member m : members) {
            patiently().until(() -> m.recorder.texts().size() >= (m == members.get(0) ? 6 : m == members.get(1) || m == members.get(2) ? 7 : 10));
            assertThat(m.recorder.notNeighbourAtDelivery).as("deliveries at %s from a node that was not its neighbour", m.id).isEmpty();
            Set<PublicKey> others = new HashSet<>();
            members.stream().filter(o -> o != m).forEach(o -> others.add(o.id));
            assertThat(m.recorder.deliveredFrom).allSatisfy(from -> assertThat(others).contains(from));
        }
    }

    @Test
    void anOversizedBroadcastIsAnError() {
        limitation(GossipCase.AN_OVERSIZED_BROADCAST_IS_AN_ERROR);
        List<Member> members = overlay(2);
        Member a = members.get(0);
        int max = a.gossip.maxMessageBytes();
        assertThat(max).isPositive();
        assertThatThrownBy(() -> a.topic.broadcast(new byte[max + 1])).isInstanceOf(IllegalArgumentException.class);
        byte[] largest = new byte[max];
        largest[max - 1] = 42;
        a.topic.broadcast(largest);
        patiently().until(() -> members.get(1).recorder.sizes.contains(max));
        assertThat(members.get(1).recorder.sizes).doesNotContain(max + 1);
    }

    @Test
    void aBootstrapNodeAcceptsNeighbours() {
        limitation(GossipCase.A_BOOTSTRAP_NODE_ACCEPTS_NEIGHBOURS);
        Member bootstrap = member();
        bootstrap.join(TOPIC, List.of());
        Member a = member();
        Member b = member();
        a.join(TOPIC, List.of(bootstrap.address()));
        b.join(TOPIC, List.of(bootstrap.address()));
        patiently().until(() -> bootstrap.recorder.neighbours().containsAll(List.of(a.id, b.id)));
        // a learns of the bootstrap node only when its answer arrives, after the bootstrap node's own event
        patiently().until(() -> a.recorder.neighbours().contains(bootstrap.id));
        awaitConnected(List.of(bootstrap, a, b));
        bootstrap.topic.broadcast(bytes("from the bootstrap node"));
        patiently().until(() -> a.recorder.texts().contains("from the bootstrap node")
                && b.recorder.texts().contains("from the bootstrap node"));
    }

    @Test
    void neighboursGoDownWhenATopicIsLeft() {
        limitation(GossipCase.NEIGHBOURS_GO_DOWN_WHEN_A_TOPIC_IS_LEFT);
        List<Member> members = overlay(2);
        Member a = members.get(0);
        Member b = members.get(1);
        b.topic.close();
        patiently().until(() -> !a.recorder.neighbours().contains(b.id));
        assertThat(a.recorder.downs).contains(b.id);
    }

    @Test
    void neighboursGoDownPromptlyOnConnectionLoss() {
        limitation(GossipCase.NEIGHBOURS_GO_DOWN_PROMPTLY_ON_CONNECTION_LOSS);
        List<Member> members = overlay(3);
        Member lost = members.get(1);
        // some member must have been told that lost is its neighbour (lost's own events may come first)
        patiently().until(() -> members.stream().anyMatch(m -> m != lost && m.recorder.neighbours().contains(lost.id)));
        Set<Member> itsNeighbours = new HashSet<>();
        for (Member m : members) {
            if (m.recorder.neighbours().contains(lost.id)) {
                itsNeighbours.add(m);
            }
        }
        assertThat(itsNeighbours).isNotEmpty();
        cutOff(lost);
        for (Member m : itsNeighbours) {
            await().atMost(PROMPTLY.toMillis(), TimeUnit.MILLISECONDS).pollInterval(10, TimeUnit.MILLISECONDS)
                    .until(() -> !m.recorder.neighbours().contains(lost.id));
        }
        patiently().until(() -> lost.recorder.neighbours().isEmpty());
    }

    @Test
    void aLeftTopicHearsNothingAndCanBeJoinedAgain() {
        limitation(GossipCase.A_LEFT_TOPIC_HEARS_NOTHING_AND_CAN_BE_JOINED_AGAIN);
        List<Member> members = overlay(3);
        Member leaver = members.get(2);
        Recorder before = leaver.recorder;
        leaver.topic.close();
        leaver.topic.close(); // idempotent
        assertThatThrownBy(() -> leaver.topic.broadcast(bytes("too late"))).isInstanceOf(IllegalStateException.class);
        int heard = before.events();
        members.get(0).topic.broadcast(bytes("after the leave"));
        patiently().until(() -> members.get(1).recorder.texts().contains("after the leave"));
        // the leaver rejoins with a new listener; the old one stays silent
        leaver.join(TOPIC, List.of(members.get(0).address()));
        awaitConnected(members);
        members.get(1).topic.broadcast(bytes("after the rejoin"));
        patiently().until(() -> leaver.recorder.texts().contains("after the rejoin"));
        // the new listener may also be told of a message of the moments before it joined (a
        // provider may announce its newest messages to a new neighbour, as gossipsub does), but
        // only once
        assertThat(leaver.recorder.texts()).doesNotHaveDuplicates();
        assertThat(before.events()).as("events the first listener heard after close()").isEqualTo(heard);
    }

    @Test
    void joinFailsBeforeStartTwiceAndAfterClose() {
        limitation(GossipCase.JOIN_FAILS_BEFORE_START_TWICE_AND_AFTER_CLOSE);
        Member unstarted = member(false);
        assertThatThrownBy(() -> unstarted.gossip.join(TOPIC, List.of(), new Recorder())).isInstanceOf(IllegalStateException.class);
        Member m = member();
        m.join(TOPIC, List.of());
        assertThatThrownBy(() -> m.gossip.join(TOPIC, List.of(), new Recorder())).isInstanceOf(IllegalStateException.class);
        m.gossip.join(OTHER_TOPIC, List.of(), new Recorder());
        m.gossip.close();
        m.gossip.close(); // idempotent
        assertThatThrownBy(() -> m.gossip.join(TopicId.named("gossip-contract/third"), List.of(), new Recorder()))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> m.topic.broadcast(bytes("after close"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void topicsAreSeparate() {
        limitation(GossipCase.TOPICS_ARE_SEPARATE);
        List<Member> members = overlay(3);
        Map<Member, Recorder> other = new HashMap<>();
        Map<Member, GossipTopic> otherTopics = new HashMap<>();
        for (Member m : members) {
            Recorder r = new Recorder();
            other.put(m, r);
            otherTopics.put(m, m.gossip.join(OTHER_TOPIC, m == members.get(0) ? List.of() : List.of(members.get(0).address()), r));
        }
        patiently().until(() -> members.stream().allMatch(m -> !other.get(m).neighbours().isEmpty()));
        members.get(0).topic.broadcast(bytes("lobby"));
        otherTopics.get(members.get(0)).broadcast(bytes("elsewhere"));
        for (Member m : members.subList(1, members.size())) {
            patiently().until(() -> m.recorder.texts().contains("lobby") && other.get(m).texts().contains("elsewhere"));
        }
        members.get(1).topic.broadcast(bytes("lobby again"));
        patiently().until(() -> members.get(0).recorder.texts().contains("lobby again"));
        for (Member m : members) {
            assertThat(m.recorder.texts()).doesNotContain("elsewhere");
            assertThat(other.get(m).texts()).doesNotContain("lobby", "lobby again");
        }
    }

    @Test
    void aHostilePeerIsDisconnectedAndTheServiceKeepsWorking() {
        limitation(GossipCase.A_HOSTILE_PEER_IS_DISCONNECTED_AND_THE_SERVICE_KEEPS_WORKING);
        Map<String, byte[]> inputs = hostileInputs();
        assertThat(inputs).as("hostileInputs()").isNotEmpty();
        List<Member> members = overlay(3);
        Member target = members.get(0);
        long disconnectedBefore = target.gossip.counters().map(GossipCounters::peersDisconnected).orElse(0L);
        for (Map.Entry<String, byte[]> input : inputs.entrySet()) {
            PrivateKey key = PrivateKey.generate();
            Transport hostile = createTransport(key, NodeServices.system());
            closeables.add(hostile);
            hostile.start();
            Connection c = hostile.dial(target.address(), protocol()).orTimeout(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).join();
            DuplexStream s = c.openStream().orTimeout(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).join();
            try {
                s.write(input.getValue());
                s.flush();
            } catch (RuntimeException e) {
                // the service may cut the stream off before everything was written: that is fine
            }
            patiently().alias("the connection of a peer that sent " + input.getKey() + " is closed").until(() -> !c.isOpen());
        }
        Optional<GossipCounters> after = target.gossip.counters();
        after.ifPresent(counters -> assertThat(counters.peersDisconnected() - disconnectedBefore)
                .as("hostile peers counted").isGreaterThanOrEqualTo(inputs.size()));
        target.topic.broadcast(bytes("still working"));
        for (Member m : members.subList(1, members.size())) {
            patiently().until(() -> m.recorder.texts().contains("still working"));
        }
        members.get(2).topic.broadcast(bytes("both ways"));
        patiently().until(() -> target.recorder.texts().contains("both ways"));
    }

    // ---- the machinery ------------------------------------------------------------------------

    /** A started node: transport, gossip service and (once joined) its topic and listener. */
    protected final class Member {
        final PublicKey id;
        final Transport transport;
        final Gossip gossip;
        GossipTopic topic;
        Recorder recorder = new Recorder();

        Member(PublicKey id, Transport transport, Gossip gossip) {
            this.id = id;
            this.transport = transport;
            this.gossip = gossip;
        }

        NodeAddress address() {
            return transport.localAddress();
        }

        /** This node's id. */
        public PublicKey id() {
            return id;
        }

        /** This node's transport (e.g. for {@link GossipContract#cutOff} to close it). */
        public Transport transport() {
            return transport;
        }

        void join(TopicId topicId, Collection<NodeAddress> known) {
            recorder = new Recorder();
            topic = gossip.join(topicId, known, recorder);
        }

        @Override
        public String toString() {
            return id.toString();
        }
    }

    private Member member() {
        return member(true);
    }

    private Member member(boolean start) {
        PrivateKey key = PrivateKey.generate();
        Transport transport = createTransport(key, NodeServices.system());
        Gossip gossip = provider().create(new GossipContext(key.publicKey(), NetworkId.DEFAULT, transport, options(), NodeServices.system()));
        closeables.add(transport);
        closeables.add(gossip);
        if (start) {
            gossip.start();
            transport.start();
        }
        return new Member(key.publicKey(), transport, gossip);
    }

    /** {@code n} nodes in {@link #TOPIC}: the first alone, each other joining through the first and the one before it. */
    private List<Member> overlay(int n) {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Member m = member();
            if (i == 0) {
                m.join(TOPIC, List.of());
            } else {
                List<NodeAddress> known = new ArrayList<>();
                known.add(members.get(0).address());
                if (i > 1) {
                    known.add(members.get(i - 1).address());
                }
                m.join(TOPIC, known);
            }
            members.add(m);
        }
        awaitConnected(members);
        return members;
    }

    /** Waits until the neighbour relation the listeners report is symmetric and connects everyone. */
    private void awaitConnected(List<Member> members) {
        patiently().alias("the overlay of " + members.size() + " nodes is connected").until(() -> connected(members));
    }

    private static boolean connected(List<Member> members) {
        Map<PublicKey, Set<PublicKey>> edges = new HashMap<>();
        for (Member m : members) {
            edges.put(m.id, m.recorder.neighbours());
        }
        for (Map.Entry<PublicKey, Set<PublicKey>> e : edges.entrySet()) {
            for (PublicKey n : e.getValue()) {
                Set<PublicKey> back = edges.get(n);
                if (back != null && !back.contains(e.getKey())) {
                    return false;
                }
            }
        }
        Set<PublicKey> reached = new HashSet<>();
        ArrayDeque<PublicKey> todo = new ArrayDeque<>();
        todo.add(members.get(0).id);
        reached.add(members.get(0).id);
        while (!todo.isEmpty()) {
            for (PublicKey n : edges.getOrDefault(todo.poll(), Set.of())) {
                if (edges.containsKey(n) && reached.add(n)) {
                    todo.add(n);
                }
            }
        }
        return reached.size() == members.size();
    }

    /**
     * Cuts a node off the network abruptly (no goodbye). By default unplugs it from the
     * {@link MemoryNetwork}; override together with {@link #createTransport} (e.g. close the
     * node's transport).
     */
    protected void cutOff(Member member) {
        network.disconnect(member.id);
    }

    private static ConditionFactory patiently() {
        return await().atMost(PATIENCE.toMillis(), TimeUnit.MILLISECONDS).pollInterval(20, TimeUnit.MILLISECONDS);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A listener that records everything, and checks that each message came from a neighbour. */
    static final class Recorder implements GossipListener {
        final List<String> received = new CopyOnWriteArrayList<>();
        final List<Integer> sizes = new CopyOnWriteArrayList<>();
        final List<PublicKey> deliveredFrom = new CopyOnWriteArrayList<>();
        final List<PublicKey> notNeighbourAtDelivery = new CopyOnWriteArrayList<>();
        final List<PublicKey> downs = new CopyOnWriteArrayList<>();
        private final Set<PublicKey> neighbours = ConcurrentHashMap.newKeySet();
        private int events;

        @Override
        public void received(byte[] message, PublicKey from) {
            synchronized (this) {
                events++;
            }
            received.add(new String(message, StandardCharsets.UTF_8));
            sizes.add(message.length);
            deliveredFrom.add(from);
            if (!neighbours.contains(from)) {
                notNeighbourAtDelivery.add(from);
            }
        }

        @Override
        public void neighbourUp(PublicKey peer) {
            synchronized (this) {
                events++;
            }
            neighbours.add(peer);
        }

        @Override
        public void neighbourDown(PublicKey peer) {
            synchronized (this) {
                events++;
            }
            neighbours.remove(peer);
            downs.add(peer);
        }

        synchronized int events() {
            return events;
        }

        List<String> texts() {
            return List.copyOf(received);
        }

        long count(String text) {
            return received.stream().filter(text::equals).count();
        }

        Set<PublicKey> neighbours() {
            return Set.copyOf(neighbours);
        }
    }
}
