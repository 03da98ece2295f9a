package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import dev.pando.node.MessageStream;
import dev.pando.node.Node;
import dev.pando.node.NodeEvent;
import dev.pando.node.TopicMessage;
import dev.pando.node.TopicSubscription;
import dev.pando.spi.ProviderOptions;
import dev.pando.transport.relay.RelayServer;
import dev.pando.transport.relay.RelayServerConfig;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 15, scenario 2 (internet), through {@link Node} with every provider on the module path: a
 * relay; node A in bootstrap mode, on the relay, subscribed to nothing; nodes B and C given only
 * A's node id and the relay URL. B and C learn each other from A's peer exchange (discovery
 * "bootstrap"), find through their own topic exchange that they share a topic, and keep
 * exchanging new messages after A is stopped.
 */
@Timeout(240)
class BootstrapScenarioTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final TopicId TOPIC = TopicId.random();

    /** Collects every event of a node from the start. */
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

    private static Node node(String relay, Recorder recorder, ProviderOptions discovery, boolean bootstrap) {
        Node.Builder b = Node.builder()
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .transport("quic-netty")
                .transport("relay", ProviderOptions.of("relay_url", relay))
                .discovery("bootstrap", discovery.with("walk_interval", "2s"))
                .subscriber(recorder);
        if (bootstrap) {
            b.bootstrap();
        }
        return b.start();
    }

    private static String text(MessageStream messages, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<TopicMessage> m = messages.poll(Duration.ofSeconds(1));
            if (m.isPresent() && m.get() instanceof TopicMessage.Stored s) {
                return new String(s.payload(), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no message within " + wait);
    }

    @Test
    void twoNodesThatKnowOnlyTheBootstrapNodesIdMeetThroughItAndGoOnWithoutIt() throws Exception {
        try (RelayServer relay = RelayServer.create(RelayServerConfig.defaults().withBind(new InetSocketAddress("127.0.0.1", 0)))) {
            relay.start();
            String url = relay.url().toString();
            Recorder ra = new Recorder();
            Recorder rb = new Recorder();
            Recorder rc = new Recorder();
            Node a = node(url, ra, ProviderOptions.empty(), true);
            String viaRelay = new NodeAddress(a.id(), List.of(), Optional.of(relay.url())).toText();
            try (Node b = node(url, rb, ProviderOptions.of("peers", viaRelay), false);
                 Node c = node(url, rc, ProviderOptions.of("peers", viaRelay), false)) {
                assertThat(b.knownPeers()).noneMatch(p -> p.nodeId().equals(c.id()));
                TopicSubscription sb = b.subscribe(TOPIC);
                TopicSubscription sc = c.subscribe(TOPIC);
                MessageStream atB = sb.messages();
                MessageStream atC = sc.messages();

                // nothing but A's peer exchange tells one of them the other's address; the other may
                // then learn it first from the incoming topic exchange (the node reports an address once)
                await("B and C learn each other from A's peer exchange").atMost(WAIT)
                        .until(() -> (rb.discovered(c.id(), "bootstrap") || rc.discovered(b.id(), "bootstrap"))
                                && b.knownPeers().stream().anyMatch(p -> p.nodeId().equals(c.id()))
                                && c.knownPeers().stream().anyMatch(p -> p.nodeId().equals(b.id())));

                sb.publish("before A stops".getBytes(StandardCharsets.UTF_8));
                assertThat(text(atC, WAIT)).isEqualTo("before A stops");
                assertThat(text(atB, WAIT)).isEqualTo("before A stops"); // B's own, LOCAL

                a.close();
                sc.publish("from C, A gone".getBytes(StandardCharsets.UTF_8));
                assertThat(text(atB, WAIT)).isEqualTo("from C, A gone");
                sb.publish("from B, A gone".getBytes(StandardCharsets.UTF_8));
                assertThat(text(atC, WAIT)).isEqualTo("from C, A gone"); // C's own
                assertThat(text(atC, WAIT)).isEqualTo("from B, A gone");
            } finally {
                a.close();
            }
        }
    }
}
