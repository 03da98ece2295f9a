package dev.pando.testkit.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.pando.ConfigurationException;
import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import dev.pando.spi.Gossip;
import dev.pando.spi.GossipContext;
import dev.pando.spi.GossipListener;
import dev.pando.spi.GossipProvider;
import dev.pando.spi.GossipTopic;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The flood provider's own checks; the Gossip contract (testkit) runs the full suite on it. */
class FloodGossipTest {
    private static final TopicId TOPIC = TopicId.named("flood-test");
    private final MemoryNetwork network = MemoryNetwork.create();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        network.close();
    }

    record Member(PublicKey id, Transport transport, Gossip gossip, Recorder recorder) {
        NodeAddress address() {
            return transport.localAddress();
        }
    }

    static final class Recorder implements GossipListener {
        final List<String> messages = new CopyOnWriteArrayList<>();
        final List<PublicKey> from = new CopyOnWriteArrayList<>();
        final Set<PublicKey> neighbours = ConcurrentHashMap.newKeySet();

        @Override
        public void received(byte[] message, PublicKey deliveredFrom) {
            messages.add(new String(message, StandardCharsets.UTF_8));
            from.add(deliveredFrom);
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

    private Member member(ProviderOptions options) {
        PrivateKey key = PrivateKey.generate();
        Transport t = network.transport(key, NetworkId.DEFAULT);
        Gossip g = new FloodGossipProvider().create(new GossipContext(key.publicKey(), NetworkId.DEFAULT, t, options, NodeServices.system()));
        g.start();
        t.start();
        open.add(t);
        open.add(g);
        return new Member(key.publicKey(), t, g, new Recorder());
    }

    @Test
    void isNotAServiceSoThatTestModulePathsAreNotChanged() {
        // registered, it would be bound into every test module graph that has testkit-support and
        // a module using GossipProvider, which then could not read it: tests pass the instance
        assertThat(new FloodGossipProvider().name()).isEqualTo("flood");
        assertThat(FloodGossipProvider.class.getResource("/META-INF/services/" + GossipProvider.class.getName())).isNull();
    }

    @Test
    void aChainThroughABootstrapNodeDeliversOnceToEveryNode() {
        Member a = member(ProviderOptions.empty());
        Member b = member(ProviderOptions.empty());
        Member c = member(ProviderOptions.empty());
        a.gossip().join(TOPIC, List.of(), a.recorder());
        b.gossip().join(TOPIC, List.of(a.address()), b.recorder());
        GossipTopic tc = c.gossip().join(TOPIC, List.of(b.address()), c.recorder());
        await().atMost(Duration.ofSeconds(20)).until(() -> a.recorder().neighbours.contains(b.id())
                && c.recorder().neighbours.contains(b.id()) && b.recorder().neighbours.size() == 2);

        tc.broadcast("hello".getBytes(StandardCharsets.UTF_8));
        tc.broadcast("hello".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(20)).until(() -> a.recorder().messages.size() == 2 && b.recorder().messages.size() == 2);

        assertThat(a.recorder().from).containsOnly(b.id());
        assertThat(b.recorder().from).containsOnly(c.id());
        assertThat(c.recorder().messages).isEmpty();
        assertThat(b.gossip().counters().orElseThrow().delivered()).isEqualTo(2);
    }

    @Test
    void anOversizedBroadcastIsAnErrorAndBadOptionsAreRejected() {
        Member a = member(ProviderOptions.of("max_message_bytes", "10"));
        GossipTopic t = a.gossip().join(TOPIC, List.of(), a.recorder());
        assertThatThrownBy(() -> t.broadcast(new byte[11])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10 bytes");
        t.broadcast(new byte[10]);
        assertThatThrownBy(() -> member(ProviderOptions.of("fanout", "3"))).isInstanceOf(ConfigurationException.class).hasMessageContaining("fanout");
    }
}
