package dev.pando.integration;

import static dev.pando.integration.NodeTest.WAIT;
import static dev.pando.integration.NodeTest.read;
import static dev.pando.integration.NodeTest.texts;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.PrivateKey;
import dev.pando.TopicId;
import dev.pando.node.EventStream;
import dev.pando.node.MessageStream;
import dev.pando.node.Node;
import dev.pando.node.NodeEvent;
import dev.pando.node.TopicMessage;
import dev.pando.node.TopicSubscription;
import dev.pando.spi.ProviderOptions;
import dev.pando.testkit.support.FloodGossipProvider;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole nodes over quic-netty on loopback, with SQLite stores. */
class NodeQuicTest {
    private final List<Node> nodes = new ArrayList<>();
    private final TopicId topic = TopicId.named("quic-test");

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        nodes.forEach(Node::close);
    }

    private Node.Builder builder() {
        return Node.builder().bind(new InetSocketAddress("127.0.0.1", 0)).gossip(new FloodGossipProvider(), ProviderOptions.empty());
    }

    private Node start(Node.Builder b) {
        Node n = b.build();
        nodes.add(n);
        return n.start();
    }

    @Test
    void twoNodesShareATopicOverQuic() throws Exception {
        Node a = start(builder());
        TopicSubscription ta = a.subscribe(topic);
        ta.publish("before".getBytes(UTF_8));
        Node b = start(builder().peer(a.address()));
        EventStream events = b.eventStream();
        TopicSubscription tb = b.subscribe(topic);
        MessageStream stream = tb.messages();
        tb.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);

        ta.publish("after".getBytes(UTF_8));
        List<TopicMessage.Stored> got = read(stream, 2);

        assertThat(texts(got)).containsExactly("before", "after");
        assertThat(events.await(NodeEvent.ConnectionEstablished.class, e -> e.peer().equals(a.id()), WAIT))
                .hasValueSatisfying(e -> assertThat(e.transport()).isEqualTo("quic-netty"));
    }

    @Test
    void plumtreeIsTheDefaultGossipAndCarriesLiveMessages() throws Exception {
        Node a = start(Node.builder().bind(new InetSocketAddress("127.0.0.1", 0)));
        assertThat(a.providers().get("gossip")).containsExactly("plumtree");
        TopicSubscription ta = a.subscribe(topic);
        Node b = start(Node.builder().bind(new InetSocketAddress("127.0.0.1", 0)).peer(a.address()));
        TopicSubscription tb = b.subscribe(topic);
        MessageStream stream = tb.messages();
        ta.ready().get(NodeTest.WAIT.toSeconds(), TimeUnit.SECONDS);
        tb.ready().get(NodeTest.WAIT.toSeconds(), TimeUnit.SECONDS);

        ta.publish("over plumtree".getBytes(UTF_8));
        ta.broadcast("presence".getBytes(UTF_8));

        List<TopicMessage.Stored> got = read(stream, 1);
        assertThat(texts(got)).containsExactly("over plumtree");
        assertThat(tb.neighbours()).contains(a.id());
    }

    @Test
    void aRestartedNodeWithSqliteKeepsItsHistoryAndKey() throws Exception {
        PrivateKey key = PrivateKey.generate();
        Path db = dir.resolve("node.db");
        Node a = start(builder().privateKey(key).store("sqlite", ProviderOptions.of("path", db.toString())));
        a.subscribe(topic).publish("kept".getBytes(UTF_8));
        a.close();

        Node again = start(builder().privateKey(key).store("sqlite", ProviderOptions.of("path", db.toString())));
        TopicSubscription t = again.subscribe(topic);
        List<TopicMessage.Stored> got = read(t.messages(), 1);
        assertThat(texts(got)).containsExactly("kept");
        assertThat(got.get(0).source()).isEqualTo(TopicMessage.Source.HISTORY);
        // the log continues where it was
        assertThat(t.publish("next".getBytes(UTF_8)).seqNum()).isEqualTo(1);
    }
}
