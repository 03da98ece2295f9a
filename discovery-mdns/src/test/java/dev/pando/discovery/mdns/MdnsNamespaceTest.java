package dev.pando.discovery.mdns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.spi.DiscoveryEvent;
import dev.pando.testkit.support.NetnsLab;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What only mdns promises, on the namespace LAN: passive mode, record expiry, threads. */
@Timeout(240)
class MdnsNamespaceTest {
    private static final NetworkId NETWORK = NetworkId.named("mdns-namespace-test");
    private static NetnsLab lab;
    private final List<NamespacedDiscovery> nodes = new ArrayList<>();

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

    @AfterEach
    void stop() {
        for (NamespacedDiscovery n : nodes) {
            if (n.isAlive()) {
                n.close();
            }
            n.release();
        }
    }

    private record Node(PublicKey id, NodeAddress address, NamespacedDiscovery discovery) {
    }

    private Node node(int site, String mode) {
        return node(site, mode, Map.of());
    }

    private Node node(int site, String mode, Map<String, String> more) {
        PublicKey id = PrivateKey.generate().publicKey();
        // a passive node picks its interfaces itself (lan0 is the only one that qualifies)
        Map<String, String> options = new java.util.HashMap<>(more);
        options.put("mode", mode);
        if (!mode.equals("passive")) {
            options.put("interfaces", NetnsLab.INTERFACE);
        }
        NamespacedDiscovery d = NamespacedDiscovery.launch(lab.namespace(site), id, NETWORK, options);
        nodes.add(d);
        NodeAddress address = NodeAddress.direct(id, new InetSocketAddress(lab.address(site), 4433));
        d.start(List.of(address));
        return new Node(id, address, d);
    }

    private static boolean found(Node observer, Node peer) {
        return observer.discovery.events().contains(new DiscoveryEvent.PeerDiscovered(peer.address, "mdns"));
    }

    @Test
    void aPassiveNodeFindsOthersAndIsNeverFound() {
        Node passive = node(0, "passive");
        long started = System.nanoTime();
        Node active = node(1, "active");
        await("the passive node to find the active one").atMost(Duration.ofSeconds(60)).until(() -> found(passive, active));
        long foundMs = (System.nanoTime() - started) / 1_000_000;
        await("the active node never to hear of the passive one").during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(30))
                .until(() -> active.discovery.events().isEmpty());
        long closing = System.nanoTime();
        active.discovery.close();
        await("the passive node to notice the active one left").atMost(Duration.ofSeconds(60))
                .until(() -> passive.discovery.events().contains(new DiscoveryEvent.PeerLost(active.id, "mdns")));
        System.out.println("MEASURED mdns: found " + foundMs + " ms after the other node's launch; lost "
                + (System.nanoTime() - closing) / 1_000_000 + " ms after its close() began");
    }

    @Test
    void wildcardAddressesBecomeInterfaceAddressesLoopbackOnesAreLeftOutAndTheRelayTravels() {
        Node observer = node(0, "passive");
        PublicKey id = PrivateKey.generate().publicKey();
        NamespacedDiscovery d = NamespacedDiscovery.launch(lab.namespace(1), id, NETWORK, Map.of("interfaces", NetnsLab.INTERFACE));
        nodes.add(d);
        // as a node bound to the wildcard lists itself: loopback addresses beside the interface's
        d.start(List.of(NodeAddress.parse(id.hex() + "@0.0.0.0:4433,127.0.0.1:4433,[::1]:4433;relay=https://relay.example.org/")));
        NodeAddress expected = NodeAddress.parse(id.hex() + "@" + lab.address(1).getHostAddress() + ":4433;relay=https://relay.example.org/");
        await("the wildcard announced as the interface address").atMost(Duration.ofSeconds(60))
                .until(() -> observer.discovery.events().contains(new DiscoveryEvent.PeerDiscovered(expected, "mdns")));
    }

    @Test
    void aNodeKilledWithoutGoodbyeIsReportedLostAfterItsBeatsStop() {
        Node observer = node(0, "passive");
        Node victim = node(1, "active", Map.of("refresh_interval", "3s"));
        DiscoveryEvent.PeerLost lost = new DiscoveryEvent.PeerLost(victim.id, "mdns");
        await("the observer to find the node").atMost(Duration.ofSeconds(60)).until(() -> found(observer, victim));
        // alive, its new beats keep it known: five refresh intervals, over the 11 s it may miss them
        await("the live node to stay known").during(Duration.ofSeconds(15)).atMost(Duration.ofSeconds(60))
                .until(() -> !observer.discovery.events().contains(lost));
        assertThat(Long.parseLong(victim.discovery.stats().get("REFRESHES"))).as("beats sent").isPositive();

        long killed = System.nanoTime();
        victim.discovery.kill(); // SIGKILL: no goodbye; jmdns's records would live 3,600 s
        await("the observer to notice the node is gone").atMost(Duration.ofSeconds(60))
                .until(() -> observer.discovery.events().contains(lost));
        long lostMs = (System.nanoTime() - killed) / 1_000_000;
        assertThat(Long.parseLong(observer.discovery.stats().get("PEERS_EXPIRED"))).isEqualTo(1);
        assertThat(observer.discovery.events().stream().filter(lost::equals)).as("reported once").hasSize(1);
        System.out.println("MEASURED mdns: a node killed with SIGKILL (refresh_interval=3s) reported lost " + lostMs
                + " ms after the kill");
    }

    /** Runs {@link HostileSender} in site 2 to announce the fake node of {@code seed} once, with beat {@code beat}. */
    private static void announceFake(long seed, int refreshSeconds, int beat) throws Exception {
        Process sender = NamespacedDiscovery.run(lab.namespace(2), "dev.pando.discovery.mdns.HostileSender",
                List.of(NetnsLab.INTERFACE, NETWORK.hex(), "1", "600", "beat=" + seed + "/" + refreshSeconds + "/" + beat));
        String out = new String(sender.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(sender.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("\"sent\":\"1\"");
    }

    @Test
    void aSilentNodeIsTakenForGoneAndComesBackWithANewBeat() throws Exception {
        Node observer = node(0, "passive");
        long seed = System.nanoTime();
        // a fake node whose records live 600 s but that never beats again after its first announcement
        announceFake(seed, 1, 5);
        await("the fake node to be found").atMost(Duration.ofSeconds(60))
                .until(() -> observer.discovery.events().stream().anyMatch(e -> e instanceof DiscoveryEvent.PeerDiscovered));
        PublicKey fake = ((DiscoveryEvent.PeerDiscovered) observer.discovery.events().get(0)).address().nodeId();
        DiscoveryEvent.PeerLost lost = new DiscoveryEvent.PeerLost(fake, "mdns");
        await("its silence to be noticed").atMost(Duration.ofSeconds(60)).until(() -> observer.discovery.events().contains(lost));

        assertThat(Long.parseLong(observer.discovery.stats().get("PEERS_EXPIRED"))).isEqualTo(1);

        // the same records again (a replay): jmdns reports unchanged records to nobody, so no sign of life
        announceFake(seed, 1, 5);
        await("the replay to change nothing").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(30))
                .until(() -> observer.discovery.events().stream().filter(e -> e instanceof DiscoveryEvent.PeerDiscovered).count() == 1);

        // a new beat: the node is back
        announceFake(seed, 1, 6);
        await("a new beat to bring it back").atMost(Duration.ofSeconds(60))
                .until(() -> observer.discovery.events().stream().filter(e -> e instanceof DiscoveryEvent.PeerDiscovered).count() == 2);
    }

    @Test
    void aRecordWhoseTtlRunsOutIsReportedLost() throws Exception {
        Node observer = node(0, "passive");
        // one fake node announced with a TTL of 4 s and never again, as a node that crashed would
        // (jmdns's own records live 3,600 s: a crashed jmdns node lingers an hour)
        Process sender = NamespacedDiscovery.run(lab.namespace(2), "dev.pando.discovery.mdns.HostileSender",
                List.of(NetnsLab.INTERFACE, NETWORK.hex(), "1", "4", "valid"));
        String out = new String(sender.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(sender.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("\"sent\":\"1\"");
        await("the fake node to be found").atMost(Duration.ofSeconds(60))
                .until(() -> observer.discovery.events().stream().anyMatch(e -> e instanceof DiscoveryEvent.PeerDiscovered));
        PublicKey fake = ((DiscoveryEvent.PeerDiscovered) observer.discovery.events().get(0)).address().nodeId();
        await("its expiry to be noticed").atMost(Duration.ofSeconds(90))
                .until(() -> observer.discovery.events().contains(new DiscoveryEvent.PeerLost(fake, "mdns")));
    }

    @Test
    void closeStopsEveryJmdnsThread() {
        Node a = node(0, "active");
        Node b = node(1, "active");
        await().atMost(Duration.ofSeconds(60)).until(() -> found(a, b) && found(b, a));
        Map<String, String> running = a.discovery.stats();
        assertThat(Integer.parseInt(running.get("threads"))).as("jmdns threads while running").isPositive();
        assertThat(running.get("non_daemon_threads")).isEqualTo("0");
        assertThat(running.get("NON_DAEMON_THREADS")).isEqualTo("0");
        a.discovery.close();
        await("jmdns threads to end after close").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> a.discovery.stats().get("threads").equals("0"));
    }

    @Test
    void aDiscoveryNobodyClosedDoesNotKeepTheJvmAlive() throws IOException {
        Node a = node(0, "active");
        Node b = node(1, "active");
        await().atMost(Duration.ofSeconds(60)).until(() -> found(a, b) && found(b, a));
        // the child's main returns at the end of stdin without closing its discovery
        assertThat(a.discovery.endsByItself(Duration.ofSeconds(30))).as("the JVM exits with jmdns still open").isTrue();
    }
}
