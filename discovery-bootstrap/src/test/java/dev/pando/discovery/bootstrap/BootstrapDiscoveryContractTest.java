package dev.pando.discovery.bootstrap;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.spi.Discovery;
import dev.pando.spi.DiscoveryContext;
import dev.pando.spi.DiscoverySigner;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.testkit.DiscoveryContract;
import dev.pando.testkit.support.MemoryNetwork;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The testkit's Discovery contract for "bootstrap": every site's node names one hub (a bootstrap
 * node that starts knowing nobody) as its bootstrap peer, on an in-memory network, and finds the
 * others only through the hub's peer exchange. Short intervals so departures (records that stop
 * being refreshed) are noticed within the contract's deadline.
 */
class BootstrapDiscoveryContractTest extends DiscoveryContract {
    static final ProviderOptions FAST = ProviderOptions.of("walk_interval", "1s", "record_ttl", "8s", "redial_min", "200ms",
            "redial_max", "2s", "exchange_timeout", "5s", "requests_per_minute", "600");

    private MemoryNetwork network;
    private Discovery hub;
    private NodeAddress hubAddress;

    @BeforeEach
    void startHub() {
        network = MemoryNetwork.create();
        PrivateKey key = PrivateKey.generate();
        Transport t = network.transport(key, NETWORK);
        hub = discovery(key, NETWORK, t, FAST, NodeServices.system());
        t.start();
        hubAddress = t.localAddress();
        hub.start(List.of(hubAddress));
    }

    @AfterEach
    void stopHub() {
        hub.close();
        network.close();
    }

    static Discovery discovery(PrivateKey key, NetworkId networkId, Transport t, ProviderOptions options, NodeServices services) {
        return new BootstrapDiscoveryProvider().create(new DiscoveryContext(key.publicKey(), networkId, options, services,
                Optional.of(t), Optional.of(DiscoverySigner.of(key))));
    }

    @Override
    protected DiscoveryUnderTest create(int site, PrivateKey identity, NetworkId networkId) {
        Transport t = network.transport(identity, networkId);
        return inProcess(sink -> {
            Discovery d = discovery(identity, networkId, t, FAST.with("peers", hubAddress.toText()),
                    NodeServices.system().withEvents(sink));
            t.start();
            return d;
        });
    }
}
