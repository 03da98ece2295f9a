package dev.pando.integration;

import static dev.pando.integration.NodeTest.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.TopicId;
import dev.pando.node.Node;
import dev.pando.node.ProviderRegistry;
import dev.pando.node.TopicSubscription;
import dev.pando.spi.Discovery;
import dev.pando.spi.DiscoveryContext;
import dev.pando.spi.DiscoveryProvider;
import dev.pando.spi.PeerAffinity;
import dev.pando.spi.ProviderOptions;
import dev.pando.testkit.support.MemoryNetwork;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node hands its discoveries a {@link PeerAffinity} answered from its topic exchanges: for an
 * asker, the peers that share with the node a topic it is subscribed to and also shares with the
 * asker (what discovery "bootstrap" hands an asker first).
 */
class PeerAffinityTest {
    private final MemoryNetwork network = MemoryNetwork.create();
    private final List<Node> nodes = new ArrayList<>();

    /** A discovery that finds nothing and keeps the context the node gave it. */
    static final class Capturing implements DiscoveryProvider {
        final AtomicReference<DiscoveryContext> context = new AtomicReference<>();

        @Override
        public String name() {
            return "capture";
        }

        @Override
        public Set<String> optionKeys() {
            return Set.of();
        }

        @Override
        public Discovery create(DiscoveryContext c) {
            context.set(c);
            return new Discovery() {
                @Override
                public void start(List<NodeAddress> ownAddresses) {
                }

                @Override
                public void addressesChanged(List<NodeAddress> ownAddresses) {
                }

                @Override
                public void close() {
                }
            };
        }
    }

    @AfterEach
    void close() {
        nodes.forEach(Node::close);
        network.close();
    }

    private Node start(Node.Builder b) {
        Node n = b.noGossip().build();
        nodes.add(n);
        return n.start();
    }

    private Node peerOf(Node hub, TopicId topic) {
        Node n = start(Node.builder().transport(network.provider(), ProviderOptions.empty()).peer(hub.address()));
        n.subscribe(topic);
        return n;
    }

    @Test
    void theAffinityNamesThePeersThatShareWithTheNodeATopicItSharesWithTheAsker() {
        Capturing capture = new Capturing();
        ProviderRegistry registry = ProviderRegistry.builder().transport(network.provider()).discovery(capture).build();
        Node b = start(Node.builder().providers(registry).transport(network.provider().name()).discovery("capture"));
        TopicId one = TopicId.random();
        TopicId two = TopicId.random();
        TopicSubscription bOne = b.subscribe(one);
        b.subscribe(two);
        Node a = peerOf(b, one);
        Node p = peerOf(b, one);
        Node q = peerOf(b, two);
        Node r = peerOf(b, TopicId.random());
        PeerAffinity affinity = capture.context.get().affinity();

        await("B learned from its topic exchanges who shares which topic").atMost(WAIT)
                .until(() -> affinity.sharingATopicWith(a.id()).equals(Set.of(p.id()))
                        && affinity.sharingATopicWith(p.id()).equals(Set.of(a.id())));
        assertThat(affinity.sharingATopicWith(q.id())).as("nobody else has topic two").isEmpty();
        assertThat(affinity.sharingATopicWith(r.id())).as("shares nothing with B").isEmpty();
        assertThat(affinity.sharingATopicWith(PrivateKey.generate().publicKey())).isEmpty();

        bOne.close();
        assertThat(affinity.sharingATopicWith(a.id())).as("B left the topic it shared with A").isEmpty();
    }
}
