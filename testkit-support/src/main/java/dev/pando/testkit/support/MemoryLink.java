package dev.pando.testkit.support;

import java.util.HashMap;
import java.util.Map;

/**
 * One physical connection between two transports, shared by every protocol in both directions.
 * Guarded by the network's lock.
 */
final class MemoryLink {
    final MemoryTransport a;
    final MemoryTransport b;
    /** Per protocol, the connection end at {@link #a} and the one at {@link #b}. */
    final Map<String, MemoryConnection[]> protocols = new HashMap<>();
    boolean open = true;

    MemoryLink(MemoryTransport a, MemoryTransport b) {
        this.a = a;
        this.b = b;
    }

    boolean connects(MemoryTransport x, MemoryTransport y) {
        return a == x && b == y || a == y && b == x;
    }

    /** The two ends of a protocol's connection, created on first use. */
    MemoryConnection[] endpoints(String protocol, MemoryNetwork network) {
        return protocols.computeIfAbsent(protocol, p -> {
            MemoryConnection atA = new MemoryConnection(network, this, a, b, p);
            MemoryConnection atB = new MemoryConnection(network, this, b, a, p);
            atA.peer = atB;
            atB.peer = atA;
            return new MemoryConnection[] {atA, atB};
        });
    }
}
