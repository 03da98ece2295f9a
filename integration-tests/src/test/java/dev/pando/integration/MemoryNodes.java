package dev.pando.integration;

import dev.pando.node.Node;
import dev.pando.spi.ProviderOptions;
import dev.pando.testkit.support.MemoryNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Nodes of one test on one {@link MemoryNetwork}: each built with the network's transport, the
 * test's gossip and quick sync retries (100 ms to 1 s), and closed with everything else the test
 * hands over, newest first, then the network.
 */
final class MemoryNodes implements AutoCloseable {
    final MemoryNetwork network = MemoryNetwork.create();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final UnaryOperator<Node.Builder> gossip;

    /** {@code gossip} picks the nodes' gossip provider on a builder. */
    MemoryNodes(UnaryOperator<Node.Builder> gossip) {
        this.gossip = gossip;
    }

    /** Builds and starts a node; it is closed with the others. */
    Node start(Node.Builder b) {
        Node n = gossip.apply(b.transport(network.provider(), ProviderOptions.empty()))
                .syncRetry(Duration.ofMillis(100), Duration.ofSeconds(1)).build();
        closing.add(n);
        return n.start();
    }

    /** Closes {@code c} with the nodes (newest first). */
    <T extends AutoCloseable> T closeLater(T c) {
        closing.add(c);
        return c;
    }

    @Override
    public void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        network.close();
    }
}
