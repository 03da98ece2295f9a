package dev.pando.integration;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.TopicId;
import dev.pando.node.EventStream;
import dev.pando.node.Node;
import dev.pando.node.NodeEvent;
import dev.pando.node.TopicSubscription;
import dev.pando.spi.ProviderOptions;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two nodes that became neighbours in a topic's plumtree overlay through a third, and that no other
 * source told where the other is: the overlay's word on the neighbour's address lets them sync
 * with each other directly (before, the node had no address to dial and never synced with it).
 */
class GossipNeighbourSyncTest {
    private final MemoryNodes nodes = new MemoryNodes(b -> b.gossip("plumtree", ProviderOptions.empty()));
    private final TopicId topic = TopicId.named("gossip-neighbour-sync");

    @AfterEach
    void close() throws Exception {
        nodes.close();
    }

    private Node start(Node.Builder b) {
        return nodes.start(b);
    }

    @Test
    @Timeout(120)
    void neighboursKnownOnlyThroughTheOverlaySyncWithEachOther() throws Exception {
        Node hub = start(Node.builder().bootstrap());
        hub.subscribe(topic).ready().get(60, TimeUnit.SECONDS);
        Node a = start(Node.builder().peer(hub.address()));
        EventStream aEvents = a.eventStream();
        nodes.closeLater(aEvents);
        TopicSubscription ta = a.subscribe(topic);
        ta.ready().get(60, TimeUnit.SECONDS);
        Node c = start(Node.builder().peer(hub.address()));
        TopicSubscription tc = c.subscribe(topic);
        tc.publish("from c".getBytes(UTF_8));

        // c joined through the hub, which forwarded the join to a: a and c are neighbours
        Optional<NodeEvent.NeighbourUp> up = aEvents.await(NodeEvent.NeighbourUp.class, e -> e.peer().equals(c.id()),
                Duration.ofSeconds(60));
        assertThat(up).as("a and c became overlay neighbours").isPresent();
        assertThat(a.knownPeers()).as("a learnt c's address from the overlay").anyMatch(p -> p.nodeId().equals(c.id()));
        Optional<NodeEvent.SyncFinished> synced = aEvents.await(NodeEvent.SyncFinished.class, e -> e.peer().equals(c.id()),
                Duration.ofSeconds(60));
        assertThat(synced).as("a and c synced with each other directly").isPresent();
    }
}
