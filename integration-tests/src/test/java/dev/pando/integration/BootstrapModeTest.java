package dev.pando.integration;

import static dev.pando.integration.NodeTest.WAIT;
import static dev.pando.integration.NodeTest.read;
import static dev.pando.integration.NodeTest.texts;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pando.ConfigurationException;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import dev.pando.node.MessageStream;
import dev.pando.node.Node;
import dev.pando.node.NodeEvent;
import dev.pando.node.ProviderRegistry;
import dev.pando.node.TopicSubscription;
import dev.pando.spi.ProviderOptions;
import dev.pando.testkit.support.FloodGossipProvider;
import dev.pando.testkit.support.MemoryNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code Node.builder().bootstrap()} alone makes the node the entry point others name: it serves
 * the peer exchange of discovery "bootstrap" (issue 15: "a bootstrap node starts knowing nobody and
 * serves as the entry"), so two nodes that know only its address meet through it.
 */
@Timeout(180)
class BootstrapModeTest {
    private static final ProviderOptions FAST = ProviderOptions.of("walk_interval", "1s", "redial_min", "200ms",
            "redial_max", "2s");
    private final MemoryNetwork network = MemoryNetwork.create();
    private final List<Node> nodes = new ArrayList<>();
    private final TopicId topic = TopicId.random();

    @AfterEach
    void close() {
        nodes.forEach(Node::close);
        network.close();
    }

    private Node.Builder builder() {
        return Node.builder().transport(network.provider(), ProviderOptions.empty())
                .gossip(new FloodGossipProvider(), ProviderOptions.empty())
                .syncRetry(Duration.ofMillis(100), Duration.ofSeconds(2));
    }

    private Node start(Node.Builder b) {
        Node n = b.build();
        nodes.add(n);
        return n.start();
    }

    /** Every event of a node from its creation on. */
    static final class Recorder implements Flow.Subscriber<NodeEvent> {
        final List<NodeEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(NodeEvent e) {
            events.add(e);
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onComplete() {
        }

        boolean discovered(PublicKey peer, String source) {
            return events.stream().anyMatch(e -> e instanceof NodeEvent.PeerDiscovered d
                    && d.address().nodeId().equals(peer) && d.source().equals(source));
        }
    }

    private static boolean knows(Node node, Node other) {
        return node.knownPeers().stream().anyMatch(p -> p.nodeId().equals(other.id()));
    }

    @Test
    void aNodeBuiltOnlyWithBootstrapServesPeerExchangeAndTwoNodesNamingItMeet() throws Exception {
        Node hub = start(builder().bootstrap());
        assertThat(hub.providers().get("discovery")).containsExactly("bootstrap");
        assertThat(hub.knownPeers()).isEmpty();
        ProviderOptions viaHub = FAST.with("peers", hub.address().toText());
        Recorder rb = new Recorder();
        Recorder rc = new Recorder();
        Node b = start(builder().discovery("bootstrap", viaHub).subscriber(rb));
        Node c = start(builder().discovery("bootstrap", viaHub).subscriber(rc));
        TopicSubscription sb = b.subscribe(topic);
        MessageStream atC = c.subscribe(topic).messages();

        // only the hub's peer exchange can tell one of them the other's address (the other may then
        // learn it from the incoming topic exchange first: the node reports an address once)
        await("B and C meet through the hub's peer exchange").atMost(WAIT.multipliedBy(2))
                .until(() -> (rb.discovered(c.id(), "bootstrap") || rc.discovered(b.id(), "bootstrap"))
                        && knows(b, c) && knows(c, b));
        // the hub, which knew nobody, learned them from their peer exchange requests
        assertThat(knows(hub, b) && knows(hub, c)).as("the hub knows B and C").isTrue();

        sb.publish("via the hub".getBytes(UTF_8));
        assertThat(texts(read(atC, 1))).containsExactly("via the hub");
    }

    @Test
    void bootstrapModeWithoutTheBootstrapProviderFailsNamingIt() {
        ProviderRegistry all = ProviderRegistry.load();
        ProviderRegistry.Builder without = ProviderRegistry.builder().discover(false).transport(network.provider());
        all.stores().forEach(without::store);
        all.syncs().forEach(without::sync);
        Node.Builder b = Node.builder().providers(without.build()).transport(network.provider().name()).noGossip().bootstrap();

        assertThatThrownBy(b::build).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("\"bootstrap\"")
                .hasMessageContaining("dev.pando.discovery.bootstrap");
    }

    @Test
    void anExplicitBootstrapDiscoveryIsKeptAndNoneIsAddedOutsideBootstrapMode() {
        Node hub = start(builder().discovery("bootstrap", FAST).bootstrap());
        Node plain = start(builder());

        assertThat(hub.providers().get("discovery")).containsExactly("bootstrap");
        assertThat(plain.providers().get("discovery")).isEmpty();
        assertThat(plain.isBootstrap()).isFalse();
        assertThat(hub.isBootstrap()).isTrue();
    }
}
