package dev.pando.discovery.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DiscoveryContext;
import dev.pando.spi.DiscoverySigner;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.NodeServices;
import dev.pando.spi.PeerAffinity;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.testkit.support.MemoryNetwork;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peer exchange prefers the nodes that share a topic with the asker, as the node's
 * {@link PeerAffinity} says, without saying which they are: a hub holds 40 records, an asker wants
 * 4 (the hub's own and 3 others), and the node ids the affinity names for the asker are the ones it
 * gets (by chance: 1 in 9,880); their places among the 3 vary; a failing affinity leaves a plain
 * random sample.
 */
@Timeout(120)
class BootstrapAffinityTest {
    private static final NetworkId NET = NetworkId.named("bootstrap-affinity");
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int HELD = 40;
    private final MemoryNetwork network = MemoryNetwork.create();
    private final List<BootstrapDiscovery> made = new ArrayList<>();
    private final List<Transport> transports = new ArrayList<>();

    @AfterEach
    void close() {
        made.forEach(BootstrapDiscovery::close);
        transports.forEach(Transport::close);
        network.close();
    }

    private BootstrapDiscovery site(ProviderOptions options, PeerAffinity affinity) {
        PrivateKey key = PrivateKey.generate();
        Transport t = network.transport(key, NET);
        transports.add(t);
        BootstrapDiscovery d = (BootstrapDiscovery) new BootstrapDiscoveryProvider().create(new DiscoveryContext(key.publicKey(),
                NET, options, NodeServices.system(), Optional.of(t), Optional.of(DiscoverySigner.of(key)), affinity));
        made.add(d);
        t.start();
        d.start(List.of(t.localAddress()));
        return d;
    }

    private Transport hubTransport() {
        return transports.get(0);
    }

    /** Hands the hub the records of {@code count} nodes (each asks once for nothing but its own record's sake). */
    private List<PublicKey> populate(BootstrapDiscovery hub, int count) throws Exception {
        List<PublicKey> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PrivateKey key = PrivateKey.generate();
            Transport t = network.transport(key, NET);
            transports.add(t);
            t.start();
            PeerRecord own = PeerRecord.sign(t.localAddress(), Instant.now(), NET, DiscoverySigner.of(key));
            Connection c = t.dial(hubTransport().localAddress(), PeerExchangeWire.PROTOCOL).get(30, TimeUnit.SECONDS);
            try (DuplexStream s = c.openStream().get(30, TimeUnit.SECONDS)) {
                s.timeout(WAIT);
                PeerExchangeWire.writeRequest(s, 1, own);
                s.closeOutput();
                PeerExchangeWire.readResponse(s, 1, NET);
            } finally {
                c.close();
            }
            ids.add(key.publicKey());
        }
        await("the hub holds every record").atMost(WAIT).until(() -> hub.records().size() >= count);
        return ids;
    }

    private static Set<PublicKey> others(List<PeerRecord> answer, PublicKey hub) {
        Set<PublicKey> out = new HashSet<>();
        for (PeerRecord r : answer) {
            if (!r.nodeId().equals(hub)) {
                out.add(r.nodeId());
            }
        }
        return out;
    }

    @Test
    void theNodesSharingATopicWithTheAskerAreHandedToIt() throws Exception {
        List<PublicKey> askedFor = new CopyOnWriteArrayList<>();
        Set<PublicKey> near = new HashSet<>();
        PublicKey[] asker = new PublicKey[1];
        BootstrapDiscovery hub = site(ProviderOptions.empty(), who -> {
            askedFor.add(who);
            return who.equals(asker[0]) ? Set.copyOf(near) : Set.of();
        });
        PublicKey hubId = hubTransport().localAddress().nodeId();
        List<PublicKey> held = populate(hub, HELD);
        near.addAll(held.subList(10, 13));
        BootstrapDiscovery a = site(ProviderOptions.of("max_records", "4"), PeerAffinity.none());
        asker[0] = transports.get(transports.size() - 1).localAddress().nodeId();

        for (int i = 0; i < 3; i++) {
            List<PeerRecord> answer = a.ask(hubTransport().localAddress());
            assertThat(answer).hasSize(4);
            assertThat(answer.get(0).nodeId()).as("the hub's own record first").isEqualTo(hubId);
            assertThat(others(answer, hubId)).as("answer %d", i).isEqualTo(near);
        }
        assertThat(askedFor).as("asked for the node the connection proved").contains(asker[0]);
        assertThat(hub.counters().recordsPreferred.get()).isEqualTo(9);
    }

    @Test
    void withMoreSuchNodesThanPlacesItGetsOnlyThoseAndTheirPlacesVary() throws Exception {
        Set<PublicKey> near = new HashSet<>();
        BootstrapDiscovery hub = site(ProviderOptions.of("requests_per_minute", "600"), who -> Set.copyOf(near));
        PublicKey hubId = hubTransport().localAddress().nodeId();
        List<PublicKey> held = populate(hub, HELD);
        BootstrapDiscovery a = site(ProviderOptions.of("max_records", "4"), PeerAffinity.none());

        near.addAll(held.subList(0, 10));
        for (int i = 0; i < 3; i++) {
            assertThat(near).containsAll(others(a.ask(hubTransport().localAddress()), hubId));
        }

        // two preferred and one of the rest: the latter is not always last (places shuffled)
        near.clear();
        near.addAll(held.subList(0, 2));
        Set<Integer> placesOfTheOther = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            List<PeerRecord> answer = a.ask(hubTransport().localAddress());
            assertThat(answer).hasSize(4);
            assertThat(others(answer, hubId)).containsAll(near);
            for (int p = 1; p < answer.size(); p++) {
                if (!near.contains(answer.get(p).nodeId())) {
                    placesOfTheOther.add(p);
                }
            }
        }
        assertThat(placesOfTheOther).as("places of the record not preferred, over 20 answers").hasSizeGreaterThan(1);
    }

    @Test
    void aFailingAffinityLeavesARandomSampleAndIsCounted() throws Exception {
        BootstrapDiscovery hub = site(ProviderOptions.empty(), who -> {
            throw new IllegalStateException("broken affinity");
        });
        populate(hub, 10);
        BootstrapDiscovery a = site(ProviderOptions.of("max_records", "4"), PeerAffinity.none());

        assertThat(a.ask(hubTransport().localAddress())).hasSize(4);
        assertThat(hub.counters().affinityFailures.get()).isPositive();
        assertThat(hub.counters().recordsPreferred.get()).isZero();
    }
}
