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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A raw multicast sender in its own namespace floods a node with fake and malformed records and
 * random datagrams; the node must stay up, within bounded memory, count what it rejected, and still
 * find a real node afterwards.
 */
@Timeout(300)
class MdnsHostileRecordsTest {
    private static final int FAKES = 1_000;
    private static final int MAX_PEERS = 64;
    private static final long HEAP_GROWTH_LIMIT = 48L << 20;
    private static NetnsLab lab;
    private NamespacedDiscovery victim;
    private NamespacedDiscovery peer;

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
        for (NamespacedDiscovery d : new NamespacedDiscovery[] {victim, peer}) {
            if (d != null) {
                d.close();
                d.release();
            }
        }
    }

    @Test
    void aFloodOfFakeAndMalformedRecordsCostsBoundedMemoryAndBreaksNothing() throws Exception {
        NetworkId network = NetworkId.named("hostile-records");
        PublicKey victimId = PrivateKey.generate().publicKey();
        victim = NamespacedDiscovery.launch(lab.namespace(0), victimId, network,
                Map.of("interfaces", NetnsLab.INTERFACE, "max_peers", Integer.toString(MAX_PEERS)));
        NodeAddress victimAddress = NodeAddress.direct(victimId, new InetSocketAddress(lab.address(0), 4433));
        victim.start(List.of(victimAddress));
        long heapBefore = Long.parseLong(victim.stats().get("heap_used"));

        Process sender = NamespacedDiscovery.run(lab.namespace(2), "dev.pando.discovery.mdns.HostileSender",
                List.of(NetnsLab.INTERFACE, network.hex(), Integer.toString(FAKES), "3600", "valid", "malformed", "garbage"));
        String senderOutput = output(sender);
        assertThat(sender.exitValue()).as("the sender: %s", senderOutput).isZero();
        assertThat(senderOutput).contains("\"sent\":\"" + 3 * FAKES + "\"");

        // the fakes arrive (the kernel drops some when jmdns's receive buffer is full: about 40 % on
        // a 2-core machine running another build): more than max_peers + 100 are reported, so the
        // table had to evict, and every kind of malformed record is counted
        List<Rejection> hostileKinds = List.of(Rejection.BAD_NODE_ID, Rejection.BAD_NETWORK_ID, Rejection.NAME_MISMATCH,
                Rejection.BAD_ADDRESS, Rejection.NO_ADDRESS, Rejection.UNSUPPORTED_VERSION, Rejection.NOT_ASCII,
                Rejection.OVERSIZED_OR_TRUNCATED, Rejection.OTHER_NETWORK, Rejection.BAD_REFRESH);
        await("the victim to read the flood").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(victim::stats, s -> Long.parseLong(s.get("PEERS_EVICTED")) >= 100
                        && hostileKinds.stream().allMatch(r -> Long.parseLong(s.get(r.name())) > 0));
        Map<String, String> after = victim.stats();
        System.out.println("HOSTILE victim after " + 3 * FAKES + " datagrams: " + after + "; heap before " + heapBefore);
        assertThat(victim.isAlive()).isTrue();
        assertThat(Integer.parseInt(after.get("peers"))).isLessThanOrEqualTo(MAX_PEERS);
        long heapAfter = Long.parseLong(after.get("heap_used"));
        assertThat(heapAfter - heapBefore).as("heap growth in bytes").isLessThan(HEAP_GROWTH_LIMIT);

        // and it still works: a real node that starts now is found, and finds it
        PublicKey peerId = PrivateKey.generate().publicKey();
        peer = NamespacedDiscovery.launch(lab.namespace(1), peerId, network, Map.of("interfaces", NetnsLab.INTERFACE));
        NodeAddress peerAddress = NodeAddress.direct(peerId, new InetSocketAddress(lab.address(1), 4433));
        peer.start(List.of(peerAddress));
        await("the victim to find a real node after the flood").atMost(Duration.ofSeconds(60))
                .until(() -> victim.events().contains(new DiscoveryEvent.PeerDiscovered(peerAddress, "mdns")));
        await("the real node to find the victim").atMost(Duration.ofSeconds(60))
                .until(() -> peer.events().contains(new DiscoveryEvent.PeerDiscovered(victimAddress, "mdns")));
    }

    private static String output(Process p) throws IOException, InterruptedException {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the sender did not finish in 120 s: " + out);
        }
        return out;
    }
}
