package dev.pando.testkit.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The namespace lab: what it builds, that the root namespace keeps its interfaces, that it deletes
 * everything, and that without iproute2 it fails saying what is missing instead of skipping.
 */
@Timeout(120)
class NetnsLabTest {
    @Test
    void twoSitesShareALinkAndNothingIsLeftAfterClose() throws Exception {
        List<String> rootLinksBefore = rootLinks();
        List<String> made;
        try (NetnsLab lab = NetnsLab.create("labtest", 2)) {
            made = lab.namespaces();
            assertThat(made).containsExactlyInAnyOrder(lab.namespace(0), lab.namespace(1),
                    lab.namespace(0).replaceAll("0$", "hub"));
            assertThat(lab.namespace(0)).matches("pando-labtest-" + ProcessHandle.current().pid() + "-[0-9a-f]{6}-0");
            assertThat(run(List.of("ip", "netns", "list"))).contains(lab.namespace(0), lab.namespace(1));

            // a site sees only lo and its end of the veth, with its address and the multicast route
            String links = run(lab.exec(0, List.of("ip", "-o", "link", "show")));
            assertThat(links.lines().map(l -> l.split(": ")[1].split("@")[0])).containsExactlyInAnyOrder("lo", NetnsLab.INTERFACE);
            assertThat(run(lab.exec(1, List.of("ip", "-o", "-4", "addr", "show", "dev", NetnsLab.INTERFACE))))
                    .contains("10.77.0.2/24");
            assertThat(lab.address(1).getHostAddress()).isEqualTo("10.77.0.2");
            assertThat(run(lab.exec(0, List.of("ip", "route", "show")))).contains("224.0.0.0/4 dev " + NetnsLab.INTERFACE);

            // the two sites reach each other over the bridge: site 1 learns site 0's MAC by ARP
            // when a UDP datagram is sent (no ping needed; bash's /dev/udp sends one)
            run(lab.exec(1, List.of("bash", "-c", "echo x > /dev/udp/10.77.0.1/9")));
            String siteZeroMac = run(lab.exec(0, List.of("cat", "/sys/class/net/" + NetnsLab.INTERFACE + "/address"))).strip();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(run(lab.exec(1, List.of("ip", "neigh", "show", "10.77.0.1")))).contains("lladdr " + siteZeroMac));

            // the root namespace got no interface
            assertThat(rootLinks()).isEqualTo(rootLinksBefore);
        }
        String after = run(List.of("ip", "netns", "list"));
        for (String ns : made) {
            assertThat(after).doesNotContain(ns);
        }
        assertThat(rootLinks()).isEqualTo(rootLinksBefore);
    }

    @Test
    void aNewLabDeletesTheNamespacesOfALabWhoseProcessIsGone() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String orphan = "pando-labtest-" + gone.pid() + "-abcdef-0";
        String alive = "pando-labtest-" + ProcessHandle.current().pid() + "-fedcba-0";
        run(List.of("ip", "netns", "add", orphan));
        run(List.of("ip", "netns", "add", alive));
        try (NetnsLab lab = NetnsLab.create("labtest", 1)) {
            List<String> names = run(List.of("ip", "netns", "list")).lines().map(l -> l.split(" ")[0]).toList();
            assertThat(names).doesNotContain(orphan).contains(alive, lab.namespace(0));
        } finally {
            run(List.of("ip", "netns", "del", alive));
            if (run(List.of("ip", "netns", "list")).contains(orphan)) {
                run(List.of("ip", "netns", "del", orphan));
            }
        }
    }

    @Test
    void badArgumentsAreRefusedBeforeAnyNamespaceIsMade() {
        assertThatThrownBy(() -> NetnsLab.create("Bad-Label", 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetnsLab.create("ok", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetnsLab.create("ok", NetnsLab.MAX_SITES + 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aMissingIpCommandFailsWithWhatToInstall() {
        assertThatThrownBy(() -> NetnsLab.requireIpNetns("/nonexistent/pando-test/ip"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("iproute2")
                .hasMessageContaining("root");
    }

    @Test
    void anIpThatCannotListNamespacesFailsWithItsError() {
        // `false` runs and exits 1, as `ip netns list` does without the right to
        assertThatThrownBy(() -> NetnsLab.requireIpNetns("false"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ip netns");
    }

    /** The names of the root namespace's interfaces. */
    private static List<String> rootLinks() throws IOException, InterruptedException {
        return run(List.of("ip", "-o", "link", "show")).lines().map(l -> l.split(": ")[1].split("@")[0]).sorted().toList();
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }
}
