package dev.pando.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs the RTT benchmark once per QUIC stack through a relay with tiny sizes; checks names and options. */
class RttStallBenchmarkTest {
    private final ExecutorService workers = Executors.newCachedThreadPool(TransportBenchmark.daemons("test-server-"));

    @AfterEach
    void stopWorkers() {
        workers.shutdownNow();
    }

    @Test
    void everyQuicStackRunsEveryMetricThroughADelayRelay() {
        RttStallBenchmark.Plan tiny = new RttStallBenchmark.Plan(List.of(2.0), RttStallBenchmark.Plan.METRICS, 1, 10_000, 5, 5_000, 64 * 1024, 3);
        List<String> lines = new CopyOnWriteArrayList<>();
        List<TransportStack> stacks = List.of(RttStallBenchmark.stack("quic", workers),
                RttStallBenchmark.stack("quic-netty", workers), RttStallBenchmark.stack("raw-kwik+irtt20+pkt1200", workers));

        Map<String, Map<String, Map<String, List<RttStallBenchmark.Run>>>> all = new RttStallBenchmark(tiny, lines::add).runAll(stacks);

        assertThat(all).containsOnlyKeys("rtt_2ms");
        assertThat(all.get("rtt_2ms")).containsOnlyKeys("rr", "bulk", "streams");
        all.get("rtt_2ms").forEach((metric, byStack) -> {
            assertThat(byStack).as(metric).containsOnlyKeys("quic", "quic_netty", "raw_kwik_irtt20_pkt1200");
            byStack.forEach((stack, runs) -> {
                RttStallBenchmark.Run run = runs.get(0);
                if (stack.equals("quic_netty")) {
                    assertThat(run.outcome().ok()).as(metric + " " + stack + " " + run).isTrue();
                } else {
                    // kwik's stall is what the program counts: a stall is a result here, an error is not
                    assertThat(run.outcome().failure()).as(metric + " " + stack + " " + run).isNull();
                }
                // the client dialed the relay, not the server: the handshake alone went through it
                assertThat(run.relay().forwarded()).as(metric + " " + stack).isPositive();
            });
        });
        assertThat(lines).anyMatch(l -> l.startsWith("RESULT rtt_2ms_baseline_udp_echo ") && l.contains("through the relay"));
        assertThat(lines).contains("RESULT rtt_2ms_quic_netty_bulk_stalled 0/1 runs");
        assertThat(lines).anyMatch(l -> l.startsWith("RESULT rtt_2ms_raw_kwik_irtt20_pkt1200_rr ") && l.contains("rt/s"));
        assertThat(lines).anyMatch(l -> l.startsWith("RESULT rtt_2ms_quic_netty_stalled_all 0/3 runs"));
        assertThat(lines).noneMatch(l -> l.contains("_failures "));
    }

    @Test
    void withoutARelayTheClientDialsTheServerAndNothingIsRelayed() {
        RttStallBenchmark.Plan tiny = new RttStallBenchmark.Plan(List.of(0.0), List.of("rr"), 1, 10_000, 5, 5_000, 64 * 1024, 3);
        RttStallBenchmark benchmark = new RttStallBenchmark(tiny, line -> { });

        RttStallBenchmark.Run run = benchmark.run(RttStallBenchmark.stack("quic-netty", workers), "rr", 5, 0);

        assertThat(run.outcome().ok()).as(run.toString()).isTrue();
        assertThat(run.relay().forwarded()).isZero();
    }

    @Test
    void rrRunsAreCappedByTheirPureRttBudget() {
        RttStallBenchmark.Plan plan = RttStallBenchmark.Plan.standard();
        assertThat(plan.rr(0)).isEqualTo(2_000);
        assertThat(plan.rr(2)).isEqualTo(2_000);
        assertThat(plan.rr(20)).isEqualTo(250);
        assertThat(RttStallBenchmark.label(20)).isEqualTo("rtt_20ms");
        assertThat(RttStallBenchmark.label(0.4)).isEqualTo("rtt_0.4ms");
    }

    @Test
    void kwikTuningsParseIntoNamesAndUnknownOnesAreRejected() {
        assertThat(RttStallBenchmark.stack("raw-kwik", workers).name()).isEqualTo("raw_kwik");
        assertThat(RttStallBenchmark.stack("raw-kwik+win256k+irtt5", workers).name()).isEqualTo("raw_kwik_irtt5_win256k");
        assertThat(TransportRawKwikStack.Tuning.parse("+pkt1200+win64k"))
                .isEqualTo(new TransportRawKwikStack.Tuning(0, true, 64 * 1024));
        assertThatThrownBy(() -> RttStallBenchmark.stack("raw-kwik+cubic", workers)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RttStallBenchmark.stack("tcp", workers)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theTcpStackDialsOnlyItsServer() throws Exception {
        try (TransportStack.Server server = new TransportTcpStack(workers).startServer()) {
            InetSocketAddress elsewhere = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.address().getPort() + 1);

            assertThat(server.address().getAddress().isLoopbackAddress()).isTrue();
            assertThatThrownBy(() -> server.connect(elsewhere)).isInstanceOf(UnsupportedOperationException.class);
        }
    }
}
