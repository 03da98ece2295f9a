package dev.pando.discovery.mdns;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import dev.pando.testkit.DiscoveryContract;
import dev.pando.testkit.support.NetnsLab;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The testkit's discovery contract for "mdns": each site is a network namespace of a private
 * bridged LAN ({@link NetnsLab}), each discovery a JVM inside it ({@link NamespacedDiscovery}).
 */
class MdnsDiscoveryContractTest extends DiscoveryContract {
    private static NetnsLab lab;

    @BeforeAll
    static void buildLan() {
        lab = NetnsLab.create("mdns", 3);
    }

    @AfterAll
    static void removeLan() {
        if (lab != null) {
            lab.close();
        }
    }

    @Override
    protected DiscoveryUnderTest create(int site, PublicKey nodeId, NetworkId networkId) {
        return NamespacedDiscovery.launch(lab.namespace(site), nodeId, networkId, Map.of("interfaces", NetnsLab.INTERFACE));
    }

    /** The site's LAN address with a made-up port (nothing dials it); the change adds a second port. */
    @Override
    protected NodeAddress address(int site, PublicKey nodeId, int variant) {
        List<InetSocketAddress> direct = new ArrayList<>();
        direct.add(new InetSocketAddress(lab.address(site), 4433));
        if (variant > 0) {
            direct.add(new InetSocketAddress(lab.address(site), 4433 + variant));
        }
        return new NodeAddress(nodeId, direct, Optional.empty());
    }
}
