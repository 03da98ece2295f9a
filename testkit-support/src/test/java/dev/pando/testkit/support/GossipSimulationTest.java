package dev.pando.testkit.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The simulator driving the flood provider: small sizes, exact expectations. */
class GossipSimulationTest {

    @Test
    void floodReachesEveryNodeWithItsKnownRedundancy() {
        try (GossipSimulation sim = GossipSimulation.builder(new FloodGossipProvider()).seed(7).latency(Duration.ofMillis(20)).build()) {
            sim.addNodes(10);
            sim.run(Duration.ofSeconds(5));
            assertThat(sim.isolatedNodes()).isZero();
            GossipRound round = sim.round(10, true, Duration.ofMillis(50), Duration.ofSeconds(10));
            assertThat(round.missed()).isZero();
            assertThat(round.expected()).isEqualTo(10 * 9);
            // flooding sends each message over every link in both directions but the one it came on
            assertThat(round.rmr()).isGreaterThan(0.5);
            assertThat(round.ldh()).isBetween(1, 9);
            // each hop takes one link latency on the virtual clock, exactly
            assertThat(round.latencyP50().toMillis() % 20).isZero();
            assertThat(round.latencyMax()).isLessThanOrEqualTo(Duration.ofMillis(20L * round.ldh()));
        }
    }

    @Test
    void virtualTimePassesExactlyAndTheOverlayStaysWhole() {
        try (GossipSimulation sim = GossipSimulation.builder(new FloodGossipProvider()).seed(3).build()) {
            sim.addNodes(4);
            Duration before = sim.elapsed();
            sim.run(Duration.ofMinutes(10));
            assertThat(sim.elapsed().minus(before)).isEqualTo(Duration.ofMinutes(10));
            assertThat(sim.isolatedNodes()).isZero();
            assertThat(sim.round(3, false, Duration.ZERO, Duration.ofSeconds(5)).missed()).isZero();
        }
    }

    @Test
    void badSettingsAreRejected() {
        assertThatThrownBy(() -> GossipSimulation.builder(new FloodGossipProvider()).loss(1.0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GossipSimulation.builder(new FloodGossipProvider()).messageBytes(4)).isInstanceOf(IllegalArgumentException.class);
    }
}
