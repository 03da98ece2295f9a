package dev.pando.integration;

import static dev.pando.integration.NodeTest.WAIT;
import static dev.pando.integration.NodeTest.read;
import static dev.pando.integration.NodeTest.texts;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.TopicId;
import dev.pando.node.EventStream;
import dev.pando.node.MessageStream;
import dev.pando.node.Node;
import dev.pando.node.NodeEvent;
import dev.pando.node.TopicSubscription;
import dev.pando.spi.ProviderOptions;
import dev.pando.testkit.support.ManualClock;
import dev.pando.testkit.support.MemoryNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The node's timers run on its scheduler: a virtual clock drives the periodic resync. */
class NodeClockTest {
    private final MemoryNetwork network = MemoryNetwork.create();
    private final ManualClock clock = new ManualClock();
    private final List<Node> nodes = new ArrayList<>();
    private final TopicId topic = TopicId.named("clock");

    @AfterEach
    void close() {
        nodes.forEach(Node::close);
        network.close();
    }

    private Node start(Node.Builder b) {
        Node n = b.transport(network.provider(), ProviderOptions.empty()).noGossip().scheduler(clock)
                .resyncInterval(Duration.ofSeconds(60)).build();
        nodes.add(n);
        return n.start();
    }

    @Test
    void withoutGossipAPublishReachesAPeerAtTheNextResync() throws Exception {
        Node a = start(Node.builder());
        TopicSubscription ta = a.subscribe(topic);
        EventStream aEvents = a.eventStream();
        Node b = start(Node.builder().peer(a.address()));
        EventStream bEvents = b.eventStream();
        TopicSubscription tb = b.subscribe(topic);
        MessageStream stream = tb.messages();
        tb.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        // the first session (after the topic exchange) ends on one side or the other
        boolean aInitiates = a.id().compareTo(b.id()) < 0;
        assertThat((aInitiates ? aEvents : bEvents).await(NodeEvent.SyncFinished.class, e -> true, WAIT)).isPresent();

        ta.publish("between rounds".getBytes(UTF_8));
        assertThat(stream.poll(Duration.ofMillis(500))).as("nothing carries it before the next round").isEmpty();

        clock.advance(Duration.ofSeconds(61));
        assertThat(texts(read(stream, 1))).containsExactly("between rounds");
    }
}
