package dev.pando.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.spi.ProviderOptions;
import dev.pando.testkit.support.GossipRound;
import dev.pando.testkit.support.GossipSimulation;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** "plumtree" in the simulator under churn, loss and a partition that heals, at CI sizes. */
class PlumtreeChurnSimulationTest {

    private static GossipSimulation.Builder simulation(long seed) {
        return GossipSimulation.builder(new PlumtreeGossipProvider()).seed(seed).latency(Duration.ofMillis(10))
                .options(i -> ProviderOptions.of("seed", Long.toString(seed * 1000 + i)));
    }

    @Test
    void nodesThatStayAndNodesThatJoinMissNothingUnderChurn() {
        try (GossipSimulation sim = simulation(21).build()) {
            sim.addNodes(30);
            sim.run(Duration.ofSeconds(10));
            for (int period = 0; period < 2; period++) {
                assertThat(sim.churn(0.1, period == 0)).isEqualTo(3);
                sim.run(Duration.ofSeconds(5));
                GossipRound r = sim.round(20, true, Duration.ofMillis(50), Duration.ofSeconds(20));
                System.out.println("plumtree 30 nodes, 10 % churn, period " + period + ": " + r);
                assertThat(r.nodes()).isEqualTo(30);
                assertThat(r.expected()).isEqualTo(20 * 29);
                assertThat(r.missed()).isZero();
            }
        }
    }

    @Test
    void theOverlayMergesAgainAfterAPartitionHeals() {
        try (GossipSimulation sim = simulation(22).build()) {
            sim.addNodes(20);
            sim.run(Duration.ofSeconds(10));
            sim.partition(0.5);
            sim.run(Duration.ofSeconds(10));
            GossipRound split = sim.round(5, true, Duration.ofMillis(50), Duration.ofSeconds(5));
            assertThat(split.missed()).as("the partition cuts the overlay").isPositive();
            sim.heal();
            sim.run(Duration.ofMinutes(3));
            GossipRound healed = sim.round(20, true, Duration.ofMillis(50), Duration.ofSeconds(20));
            System.out.println("plumtree 20 nodes, 3 minutes after a partition healed: " + healed);
            assertThat(healed.missed()).isZero();
        }
    }

    @Test
    void lossDelaysButLosesNothing() {
        try (GossipSimulation sim = simulation(23).loss(0.05).jitter(Duration.ofMillis(5)).build()) {
            sim.addNodes(20);
            sim.run(Duration.ofSeconds(10));
            GossipRound r = sim.round(30, false, Duration.ofMillis(20), Duration.ofSeconds(30));
            System.out.println("plumtree 20 nodes, 5 % loss, random senders: " + r);
            assertThat(r.missed()).isZero();
            assertThat(r.ldh()).isLessThan(15);
        }
    }
}
