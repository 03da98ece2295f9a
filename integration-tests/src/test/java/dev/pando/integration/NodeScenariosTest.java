package dev.pando.integration;

import static dev.pando.integration.NodeTest.WAIT;
import static dev.pando.integration.NodeTest.read;
import static dev.pando.integration.NodeTest.texts;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import dev.pando.TopicId;
import dev.pando.node.MessageStream;
import dev.pando.node.Node;
import dev.pando.node.NodeEvent;
import dev.pando.node.ProviderRegistry;
import dev.pando.node.TopicMessage;
import dev.pando.node.TopicSubscription;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.testkit.support.FloodGossipProvider;
import dev.pando.testkit.support.Operations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** More nodes, both directions at once, forks. */
class NodeScenariosTest {
    private final MemoryNodes nodes = new MemoryNodes(b -> b.gossip(new FloodGossipProvider(), ProviderOptions.empty()));
    private final TopicId topic = TopicId.named("scenarios");

    @AfterEach
    void close() throws Exception {
        nodes.close();
    }

    private Node start(Node.Builder b) {
        return nodes.start(b);
    }

    @Test
    void tenNodesThroughOneBootstrapNodeAllReceiveEveryPublish() throws Exception {
        // live delivery is best effort (gossip's business); what a node promises is that every
        // publish arrives, by sync if need be: a short resync interval bounds the wait
        Node hub = start(Node.builder().bootstrap().resyncInterval(Duration.ofSeconds(1)));
        hub.subscribe(topic);
        List<Node> nodes = new ArrayList<>();
        List<MessageStream> streams = new ArrayList<>();
        List<TopicSubscription> subs = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            Node n = start(Node.builder().peer(hub.address()).resyncInterval(Duration.ofSeconds(1)));
            TopicSubscription t = n.subscribe(topic);
            nodes.add(n);
            subs.add(t);
            streams.add(t.messages());
        }
        for (TopicSubscription t : subs) {
            t.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        for (int i = 0; i < subs.size(); i++) {
            subs.get(i).publish(("from " + i).getBytes(UTF_8));
        }
        Set<String> all = new HashSet<>();
        for (int i = 0; i < subs.size(); i++) {
            all.add("from " + i);
        }
        for (MessageStream s : streams) {
            assertThat(texts(read(s, subs.size()))).containsExactlyInAnyOrderElementsOf(all);
        }
    }

    @Test
    void twoNodesThatBothHoldWhatTheOtherLacksEndWithEverything() throws Exception {
        Node a = start(Node.builder());
        Node b = start(Node.builder());
        TopicSubscription ta = a.subscribe(topic);
        TopicSubscription tb = b.subscribe(topic);
        for (int i = 0; i < 200; i++) {
            ta.publish(("a" + i).getBytes(UTF_8));
            tb.publish(("b" + i).getBytes(UTF_8));
        }
        MessageStream sa = ta.messages();
        MessageStream sb = tb.messages();
        read(sa, 200);
        read(sb, 200);
        a.addPeer(b.address());
        b.addPeer(a.address());

        List<TopicMessage.Stored> atA = read(sa, 200);
        List<TopicMessage.Stored> atB = read(sb, 200);

        assertThat(atA).allSatisfy(m -> assertThat(m.author()).isEqualTo(b.id()));
        assertThat(atB).allSatisfy(m -> assertThat(m.author()).isEqualTo(a.id()));
        assertThat(atA).extracting(TopicMessage.Stored::seqNum).isSorted();
        assertThat(atB).extracting(TopicMessage.Stored::seqNum).isSorted();
        assertThat(a.counters().stored()).isEqualTo(400);
        assertThat(b.counters().stored()).isEqualTo(400);
    }

    @Test
    void aForkIsReportedAndNeverStored() throws Exception {
        PrivateKey author = PrivateKey.generate();
        List<Operation> chain = Operations.chain(author, LogId.forTopic(topic), 2);
        Operation fork = Operations.fork(author, chain.get(1));
        Operation afterFork = Operations.continueChain(author, fork, 1, 16).get(0);
        Store honest = store();
        Store forked = store();
        Node a = start(Node.builder().store(honest));
        Node b = start(Node.builder().store(forked));
        honest.insertBatch(chain);
        forked.insertBatch(List.of(chain.get(0), fork, afterFork));
        TopicSubscription ta = a.subscribe(topic);
        b.subscribe(topic);
        a.addPeer(b.address());

        NodeEvent.SyncFinished done = ta.syncWith(b.id()).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        // b holds seq 2 of the other branch: sent, recognised as a fork by its author, not stored
        assertThat(done.forks()).isEqualTo(1);
        assertThat(honest.get(afterFork.id())).isEmpty();
        assertThat(honest.get(fork.id())).isEmpty();
        assertThat(honest.get(chain.get(1).id())).isPresent();
        assertThat(forked.get(chain.get(1).id())).as("b had more: a sent it nothing").isEmpty();
    }

    private Store store() {
        Store s = ProviderRegistry.load().createStore("memory", ProviderOptions.empty(), NodeServices.system());
        nodes.closeLater(s);
        return s;
    }
}
