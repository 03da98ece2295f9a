package dev.pando.integration;

import static dev.pando.integration.NodeTest.WAIT;
import static dev.pando.integration.NodeTest.read;
import static dev.pando.integration.NodeTest.texts;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pando.LogId;
import dev.pando.NetworkId;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import dev.pando.TopicId;
import dev.pando.node.EventStream;
import dev.pando.node.MessageStream;
import dev.pando.node.Node;
import dev.pando.node.NodeEvent;
import dev.pando.node.ProviderRegistry;
import dev.pando.node.SyncFailure;
import dev.pando.node.TopicSubscription;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.Gossip;
import dev.pando.spi.GossipContext;
import dev.pando.spi.GossipListener;
import dev.pando.spi.GossipTopic;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.spi.Transport;
import dev.pando.testkit.support.FloodGossipProvider;
import dev.pando.testkit.support.Operations;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Peers that send garbage or invalid operations are cut off; nothing invalid is stored; the node goes on. */
class HostilePeerTest {
    private final MemoryNodes nodes = new MemoryNodes(b -> b.gossip(new FloodGossipProvider(), ProviderOptions.empty()));
    private final TopicId topic = TopicId.named("hostile");

    @AfterEach
    void close() throws Exception {
        nodes.close();
    }

    private Node start(Node.Builder b) {
        return nodes.start(b);
    }

    @Test
    void garbageOnTheNodesProtocolsIsCountedAndTheNodeKeepsWorking() throws Exception {
        Node a = start(Node.builder());
        a.subscribe(topic).publish("good".getBytes(UTF_8));
        Transport raw = nodes.network.transport(PrivateKey.generate(), NetworkId.DEFAULT);
        nodes.closeLater(raw);
        raw.start();
        Random random = new Random(7);
        for (String protocol : List.of("pando/sync/1", "pando/topics/1")) {
            Connection c = raw.dial(a.address(), protocol).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            DuplexStream s = c.openStream().get(WAIT.toSeconds(), TimeUnit.SECONDS);
            byte[] junk = new byte[512];
            random.nextBytes(junk);
            junk[0] = (byte) 0xFF; // an impossible frame length / version
            s.write(junk);
            s.closeOutput();
        }
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(a.counters().syncsFailed()).as("failed sync sessions").isGreaterThanOrEqualTo(1);
            assertThat(a.counters().exchangeFailures()).as("failed topic exchanges").isGreaterThanOrEqualTo(1);
        });

        Node b = start(Node.builder().peer(a.address()));
        MessageStream stream = b.subscribe(topic).messages();
        assertThat(texts(read(stream, 1))).containsExactly("good");
    }

    @Test
    void aPeerThatSendsAnInvalidOperationIsCutOffAndNothingInvalidIsStored() throws Exception {
        Store lying = ProviderRegistry.load().createStore("memory", ProviderOptions.empty(), NodeServices.system());
        Node liar = start(Node.builder().store(lying));
        nodes.closeLater(lying);
        PrivateKey author = PrivateKey.generate();
        List<Operation> chain = Operations.chain(author, LogId.forTopic(topic), 2);
        Operation tampered = Operation.decode(chain.get(1).headerBytes(), "not the signed body".getBytes(UTF_8));
        lying.insert(chain.get(0));
        lying.insert(tampered);
        liar.subscribe(topic);

        Node a = start(Node.builder());
        EventStream events = a.eventStream();
        TopicSubscription t = a.subscribe(topic);
        a.addPeer(liar.address());

        assertThat(events.await(NodeEvent.SyncFailed.class, e -> e.peer().equals(liar.id()), WAIT))
                .hasValueSatisfying(e -> assertThat(e.reason()).isEqualTo(SyncFailure.INVALID_OPERATION));
        MessageStream stream = t.messages();
        assertThat(read(stream, 1).get(0).operation().id()).isEqualTo(chain.get(0).id());
        assertThat(stream.poll(Duration.ofMillis(300))).as("the tampered operation is not stored").isEmpty();
    }

    @Test
    void malformedAndForgedLiveMessagesAreDroppedAndCounted() throws Exception {
        Node a = start(Node.builder());
        TopicSubscription t = a.subscribe(topic);
        MessageStream stream = t.messages();
        PrivateKey rawKey = PrivateKey.generate();
        Transport raw = nodes.network.transport(rawKey, NetworkId.DEFAULT);
        nodes.closeLater(raw);
        Gossip gossip = new FloodGossipProvider().create(new GossipContext(rawKey.publicKey(), NetworkId.DEFAULT, raw,
                ProviderOptions.empty(), NodeServices.system()));
        nodes.closeLater(gossip);
        gossip.start();
        raw.start();
        GossipTopic hostile = gossip.join(topic, List.of(a.address()), new GossipListener() {
            @Override
            public void received(byte[] message, dev.pando.PublicKey deliveredFrom) {
            }

            @Override
            public void neighbourUp(dev.pando.PublicKey peer) {
            }

            @Override
            public void neighbourDown(dev.pando.PublicKey peer) {
            }
        });
        await().atMost(WAIT).until(() -> t.neighbours().contains(rawId(raw)));

        hostile.broadcast(new byte[] {9, 9, 9});                        // unknown kind
        hostile.broadcast(new byte[] {1, 0, 0, 0, 50, 1});              // truncated operation
        byte[] forged = new byte[1 + 32 + 8 + 16 + 4 + 3 + 64];
        forged[0] = 2;                                                  // ephemeral, zero key, bad signature
        forged[1 + 32 + 8 + 16 + 3] = 3;
        hostile.broadcast(forged);
        Operation otherTopic = Operations.chain(PrivateKey.generate(), LogId.forTopic(TopicId.named("else")), 1).get(0);
        byte[] header = otherTopic.headerBytes();
        byte[] op = java.nio.ByteBuffer.allocate(1 + 4 + header.length + 1).put((byte) 1).putInt(header.length).put(header)
                .put((byte) 0).array();
        hostile.broadcast(op);                                          // an operation of another topic's log

        await().atMost(WAIT).until(() -> a.counters().liveInvalid() >= 4);
        assertThat(stream.poll(Duration.ofMillis(300))).isEmpty();
        assertThat(a.counters().stored()).isZero();
    }

    private static dev.pando.PublicKey rawId(Transport t) {
        return t.localAddress().nodeId();
    }
}
