package dev.pando.node;

import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What each source (the configuration, a discovery provider, a peer's own word in the topic
 * exchange or as a gossip neighbour) said about each node id. Bounded: beyond {@code maxNodes} the least recently heard-of
 * node that was not configured is forgotten. Thread-safe (one lock; every operation is small).
 */
final class AddressBook {
    static final String CONFIG = "config";
    static final String EXCHANGE = "exchange";
    /** A gossip overlay's word: a neighbour's address as it gave it in a join or shuffle. */
    static final String GOSSIP = "gossip";

    private final int maxNodes;
    /** Access order: the eldest entry is the least recently updated or read. */
    private final LinkedHashMap<PublicKey, Map<String, NodeAddress>> nodes = new LinkedHashMap<>(16, 0.75f, true);

    AddressBook(int maxNodes) {
        this.maxNodes = maxNodes;
    }

    /**
     * Records what {@code source} says about {@code address}'s node.
     *
     * @return the node's merged address if it changed (so a PeerDiscovered is due), else empty
     */
    synchronized Optional<NodeAddress> put(NodeAddress address, String source) {
        Map<String, NodeAddress> bySource = nodes.computeIfAbsent(address.nodeId(), k -> new LinkedHashMap<>());
        NodeAddress before = merge(bySource.values());
        bySource.remove(source);
        bySource.put(source, address);
        NodeAddress after = merge(bySource.values());
        evict();
        return after.equals(before) ? Optional.empty() : Optional.of(after);
    }

    /**
     * Forgets what {@code source} said about {@code node} (the node itself is forgotten when no
     * source is left).
     *
     * @return whether the source had said anything
     */
    synchronized boolean remove(PublicKey node, String source) {
        Map<String, NodeAddress> bySource = nodes.get(node);
        if (bySource == null || bySource.remove(source) == null) {
            return false;
        }
        if (bySource.isEmpty()) {
            nodes.remove(node);
        }
        return true;
    }

    synchronized Optional<NodeAddress> get(PublicKey node) {
        Map<String, NodeAddress> bySource = nodes.get(node);
        return bySource == null ? Optional.empty() : Optional.of(merge(bySource.values()));
    }

    synchronized List<NodeAddress> all() {
        List<NodeAddress> out = new ArrayList<>(nodes.size());
        for (Map<String, NodeAddress> bySource : nodes.values()) {
            out.add(merge(bySource.values()));
        }
        return out;
    }

    private void evict() {
        if (nodes.size() <= maxNodes) {
            return;
        }
        var it = nodes.entrySet().iterator();
        while (nodes.size() > maxNodes && it.hasNext()) {
            var e = it.next();
            if (!e.getValue().containsKey(CONFIG)) {
                it.remove();
            }
        }
    }

    /**
     * One address from what the sources said: every direct address, the most recently heard ones
     * first, and the relay most recently named. Never empty (one source at least).
     */
    private static NodeAddress merge(Collection<NodeAddress> said) {
        if (said.isEmpty()) {
            return null;
        }
        List<NodeAddress> newestFirst = new ArrayList<>(said);
        java.util.Collections.reverse(newestFirst);
        Set<InetSocketAddress> direct = new LinkedHashSet<>();
        Optional<URI> relay = Optional.empty();
        for (NodeAddress a : newestFirst) {
            for (InetSocketAddress d : a.directAddresses()) {
                if (direct.size() < NodeAddress.MAX_DIRECT_ADDRESSES) {
                    direct.add(d);
                }
            }
            if (relay.isEmpty()) {
                relay = a.relayUrl();
            }
        }
        return new NodeAddress(newestFirst.get(0).nodeId(), List.copyOf(direct), relay);
    }
}
