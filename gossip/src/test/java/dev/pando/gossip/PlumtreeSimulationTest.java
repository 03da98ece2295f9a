package dev.pando.gossip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.spi.ProviderOptions;
import dev.pando.testkit.support.GossipRound;
import dev.pando.testkit.support.GossipSimulation;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * "plumtree" in the testkit's simulator at CI sizes, against iroh-gossip's own limits at 100 peers
 * (RMR below 0.2, LDH below 15, nothing missed with a fixed sender).
 */
class PlumtreeSimulationTest {

    private static GossipSimulation simulation(long seed) {
        return GossipSimulation.builder(new PlumtreeGossipProvider()).seed(seed).latency(Duration.ofMillis(10))
                .options(i -> ProviderOptions.of("seed", Long.toString(seed * 1000 + i))).build();
    }

    @Test
    void twentyNodesMissNothingAndStayWithinIrohsLimits() {
        try (GossipSimulation sim = simulation(11)) {
            sim.addNodes(20);
            sim.run(Duration.ofSeconds(10));
            assertThat(sim.isolatedNodes()).isZero();
            // the first round builds the tree (duplicates turn links lazy); the second runs on it
            GossipRound warmup = sim.round(20, true, Duration.ofMillis(50), Duration.ofSeconds(10));
            GossipRound round = sim.round(50, true, Duration.ofMillis(50), Duration.ofSeconds(10));
            System.out.println("plumtree 20 nodes, warm-up: " + warmup);
            System.out.println("plumtree 20 nodes: " + round);
            assertThat(warmup.missed()).isZero();
            assertThat(round.missed()).isZero();
            assertThat(round.expected()).isEqualTo(50 * 19);
            assertThat(round.rmr()).isLessThan(0.2);
            assertThat(round.ldh()).isLessThan(15);
        }
    }
}
