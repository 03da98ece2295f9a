package dev.pando.integration;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.NodeAddress;
import dev.pando.Operation;
import dev.pando.TopicId;
import dev.pando.node.EventStream;
import dev.pando.node.MessageStream;
import dev.pando.node.Node;
import dev.pando.node.NodeEvent;
import dev.pando.node.TopicMessage;
import dev.pando.node.TopicSubscription;
import dev.pando.spi.ProviderOptions;
import dev.pando.testkit.support.FloodGossipProvider;
import dev.pando.testkit.support.MemoryNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Whole nodes on the in-memory network: topics, sync, live mode, events. */
class NodeTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    private final MemoryNetwork network = MemoryNetwork.create();
    private final List<Node> nodes = new ArrayList<>();
    private final TopicId topic = TopicId.named("node-test");

    @AfterEach
    void close() {
        nodes.forEach(Node::close);
        network.close();
    }

    private Node.Builder builder(boolean gossip) {
        Node.Builder b = Node.builder().transport(network.provider(), ProviderOptions.empty())
                .syncRetry(Duration.ofMillis(100), Duration.ofSeconds(2));
        return gossip ? b.gossip(new FloodGossipProvider(), ProviderOptions.empty()) : b.noGossip();
    }

    private Node start(Node.Builder b) {
        Node n = b.build();
        nodes.add(n);
        return n.start();
    }

    /** Reads {@code count} stored messages (skipping ephemeral ones), failing if they do not come in time. */
    static List<TopicMessage.Stored> read(MessageStream stream, int count) throws InterruptedException {
        List<TopicMessage.Stored> out = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (out.size() < count) {
            long left = deadline - System.nanoTime();
            Optional<TopicMessage> m = stream.poll(Duration.ofNanos(Math.max(0, left)));
            if (m.isEmpty()) {
                throw new AssertionError("got " + out.size() + " of " + count + " messages in " + WAIT + ": " + out);
            }
            if (m.get() instanceof TopicMessage.Stored s) {
                out.add(s);
            }
        }
        return out;
    }

    static List<String> texts(List<TopicMessage.Stored> messages) {
        return messages.stream().map(m -> new String(m.payload(), UTF_8)).toList();
    }

    @Test
    void publishedBeforeAnyPeerIsKnownReachesAPeerBySync() throws Exception {
        Node a = start(builder(false));
        TopicSubscription ta = a.subscribe(topic);
        for (int i = 0; i < 3; i++) {
            ta.publish(("a" + i).getBytes(UTF_8));
        }
        Node b = start(builder(false).peer(a.address()));
        MessageStream messages = b.subscribe(topic).messages();

        List<TopicMessage.Stored> got = read(messages, 3);

        assertThat(texts(got)).containsExactly("a0", "a1", "a2");
        assertThat(got).allSatisfy(m -> {
            assertThat(m.author()).isEqualTo(a.id());
            assertThat(m.source()).isEqualTo(TopicMessage.Source.SYNC);
            assertThat(m.from()).contains(a.id());
        });
        assertThat(got).extracting(TopicMessage.Stored::seqNum).containsExactly(0L, 1L, 2L);
        assertThat(messages.poll(Duration.ofMillis(200))).as("no duplicate").isEmpty();
    }

    @Test
    void aStreamDeliversHistoryThenLocalMessagesWithoutGapOrDuplicate() throws Exception {
        Node a = start(builder(false));
        TopicSubscription t = a.subscribe(topic);
        t.publish("old".getBytes(UTF_8));
        MessageStream stream = t.messages();
        t.publish("new".getBytes(UTF_8));

        List<TopicMessage.Stored> got = read(stream, 2);

        assertThat(texts(got)).containsExactly("old", "new");
        assertThat(got).extracting(TopicMessage.Stored::source)
                .containsExactly(TopicMessage.Source.LOCAL, TopicMessage.Source.LOCAL);
        MessageStream later = t.messages();
        assertThat(texts(read(later, 2))).containsExactly("old", "new");
        assertThat(stream.poll(Duration.ofMillis(100))).isEmpty();
    }

    @Test
    void liveMessagesAndEphemeralMessagesTravelOnGossip() throws Exception {
        Node a = start(builder(true));
        TopicSubscription ta = a.subscribe(topic);
        Node b = start(builder(true).peer(a.address()));
        TopicSubscription tb = b.subscribe(topic);
        MessageStream fromB = tb.messages();
        ta.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        tb.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        Operation op = ta.publish("live".getBytes(UTF_8));
        List<TopicMessage.Stored> got = read(fromB, 1);
        assertThat(got.get(0).operation().id()).isEqualTo(op.id());
        assertThat(got.get(0).source()).isIn(TopicMessage.Source.LIVE, TopicMessage.Source.SYNC);
        assertThat(got.get(0).from()).contains(a.id());

        ta.broadcast("here".getBytes(UTF_8));
        TopicMessage.Ephemeral e = null;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (e == null && System.nanoTime() < deadline) {
            Optional<TopicMessage> m = fromB.poll(Duration.ofSeconds(1));
            if (m.isPresent() && m.get() instanceof TopicMessage.Ephemeral eph) {
                e = eph;
            }
        }
        assertThat(e).as("ephemeral message").isNotNull();
        assertThat(e.author()).isEqualTo(a.id());
        assertThat(new String(e.payload(), UTF_8)).isEqualTo("here");
        assertThatThrownBy(() -> ta.broadcast(new byte[ta.maxEphemeralBytes() + 1]))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aLiveOperationAfterAGapIsHeldAndTheGapIsSynced() throws Exception {
        Node a = start(builder(true));
        TopicSubscription ta = a.subscribe(topic);
        Node b = start(builder(true).peer(a.address()));
        TopicSubscription tb = b.subscribe(topic);
        MessageStream stream = tb.messages();
        tb.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        // B goes offline while A publishes 100, then comes back
        network.disconnect(b.id());
        for (int i = 0; i < 100; i++) {
            ta.publish(("m" + i).getBytes(UTF_8));
        }
        network.reconnect(b.id());
        ta.publish("after".getBytes(UTF_8));

        List<TopicMessage.Stored> got = read(stream, 101);

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            expected.add("m" + i);
        }
        expected.add("after");
        assertThat(texts(got)).containsExactlyElementsOf(expected);
    }

    @Test
    void threeNodesAndALateJoinerSeeEverything() throws Exception {
        Node a = start(builder(true).bootstrap());
        TopicSubscription ta = a.subscribe(topic);
        Node b = start(builder(true).peer(a.address()));
        TopicSubscription tb = b.subscribe(topic);
        tb.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        ta.publish("from a".getBytes(UTF_8));
        tb.publish("from b".getBytes(UTF_8));

        Node c = start(builder(true).peer(a.address()));
        MessageStream fromC = c.subscribe(topic).messages();
        List<TopicMessage.Stored> got = read(fromC, 2);

        assertThat(texts(got)).containsExactlyInAnyOrder("from a", "from b");
        assertThat(got).extracting(TopicMessage.Stored::author).containsExactlyInAnyOrder(a.id(), b.id());
    }

    @Test
    void aSubscriberRegisteredOnTheBuilderSeesEveryEventInOrder() throws Exception {
        List<NodeEvent> seen = new CopyOnWriteArrayList<>();
        Node a = start(builder(false).subscriber(collect(seen)));
        TopicSubscription t = a.subscribe(topic);
        t.close();
        a.close();

        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> seen.size() >= 2);
        assertThat(seen).containsExactly(new NodeEvent.OverlayJoined(topic), new NodeEvent.OverlayLeft(topic));
    }

    @Test
    void aSlowEventReaderGetsLaggedAndTheNodeKeepsWorking() throws Exception {
        Node a = start(builder(false).eventBuffer(4));
        EventStream events = a.eventStream();
        for (int i = 0; i < 10; i++) {
            a.subscribe(TopicId.named("t" + i)).close();
        }
        List<NodeEvent> got = new ArrayList<>();
        Optional<NodeEvent> e;
        while ((e = events.poll(Duration.ofMillis(200))).isPresent()) {
            got.add(e.get());
        }
        assertThat(got).hasSize(5);
        assertThat(got.subList(0, 4)).allSatisfy(x -> assertThat(x).isNotInstanceOf(NodeEvent.Lagged.class));
        assertThat(got.get(4)).isEqualTo(new NodeEvent.Lagged(16));
        // it keeps up again and sees what comes next
        a.subscribe(topic);
        assertThat(events.poll(WAIT)).contains(new NodeEvent.OverlayJoined(topic));
    }

    @Test
    void syncWithOnDemandReportsTheOutcome() throws Exception {
        Node a = start(builder(false));
        TopicSubscription ta = a.subscribe(topic);
        ta.publish("x".getBytes(UTF_8));
        Node b = start(builder(false));
        b.addPeer(a.address());
        TopicSubscription tb = b.subscribe(topic);

        NodeEvent.SyncFinished done = tb.syncWith(a.id()).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(done.peer()).isEqualTo(a.id());
        assertThat(done.initiator()).isTrue();
        assertThat(b.counters().stored()).isEqualTo(1);
    }

    @Test
    void misuseIsRefusedClearly() {
        Node a = start(builder(false));
        a.subscribe(topic);
        assertThatThrownBy(() -> a.subscribe(topic)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("subscribed to");
        assertThatThrownBy(() -> a.addPeer(NodeAddress.parse(a.address().toText())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("own id");
        assertThatThrownBy(a::start).isInstanceOf(IllegalStateException.class);
        a.close();
        assertThatThrownBy(() -> a.subscribe(TopicId.named("other"))).isInstanceOf(IllegalStateException.class);
    }

    static Flow.Subscriber<NodeEvent> collect(List<NodeEvent> into) {
        return new Flow.Subscriber<>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(NodeEvent item) {
                into.add(item);
            }

            @Override
            public void onError(Throwable throwable) {
                into.add(new NodeEvent.Lagged(Long.MAX_VALUE));
            }

            @Override
            public void onComplete() {
            }
        };
    }
}
