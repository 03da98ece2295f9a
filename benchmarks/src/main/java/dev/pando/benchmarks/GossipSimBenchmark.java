package dev.pando.benchmarks;

import dev.pando.node.ProviderRegistry;
import dev.pando.spi.GossipProvider;
import dev.pando.testkit.support.FloodGossipProvider;
import dev.pando.spi.ProviderOptions;
import dev.pando.testkit.support.GossipRound;
import dev.pando.testkit.support.GossipSimulation;
import java.time.Duration;
import java.util.Locale;

/**
 * The gossip simulator ({@link GossipSimulation}, virtual clock) on a provider found by name:
 * a steady round with a fixed sender, rounds after churn, and a round after a partition healed.
 * Usage: {@code GossipSimBenchmark [--quick] [--provider plumtree] [--nodes 100] [--messages 100]
 * [--churn 0.1] [--periods 3] [--latency-ms 10] [--loss 0] [--seed 1] [--no-partition]}. Figures:
 * RMR, LDH, missed deliveries, virtual delivery latency p50/p99, and the wall time of the steady
 * round. {@code --quick}: 20 nodes, 20 messages, one churn period.
 */
public final class GossipSimBenchmark {

    private GossipSimBenchmark() {
    }

    public static void main(String[] args) {
        String providerName = "plumtree";
        int nodes = 100;
        int messages = 100;
        double churn = 0.1;
        int periods = 3;
        long latencyMs = 10;
        double loss = 0;
        long seed = 1;
        boolean partition = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> {
                    nodes = 20;
                    messages = 20;
                    periods = 1;
                }
                case "--provider" -> providerName = args[++i];
                case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--churn" -> churn = Double.parseDouble(args[++i]);
                case "--periods" -> periods = Integer.parseInt(args[++i]);
                case "--latency-ms" -> latencyMs = Long.parseLong(args[++i]);
                case "--loss" -> loss = Double.parseDouble(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--no-partition" -> partition = false;
                default -> {
                    System.err.println("unknown argument " + args[i]);
                    System.exit(2);
                }
            }
        }
        String name = providerName;
        GossipProvider provider = ProviderRegistry.builder().gossip(new FloodGossipProvider()).build().gossip(name);
        long s = seed;
        boolean seeded = provider.optionKeys().contains("seed");
        GossipSimulation.Builder builder = GossipSimulation.builder(provider).seed(seed).latency(Duration.ofMillis(latencyMs))
                .loss(loss).options(i -> seeded ? ProviderOptions.of("seed", Long.toString(s * 1_000_003 + i)) : ProviderOptions.empty());
        String prefix = "gossip_sim_" + providerName + "_" + nodes;
        System.out.printf(Locale.ROOT, "# %s: %d nodes, %d messages per round, latency %d ms, loss %.3f, seed %d%n",
                providerName, nodes, messages, latencyMs, loss, seed);
        try (GossipSimulation sim = builder.build()) {
            long joinStart = System.nanoTime();
            sim.addNodes(nodes);
            sim.run(Duration.ofSeconds(30));
            System.out.printf(Locale.ROOT, "# joined %d nodes in %.1f s wall, %d isolated%n", nodes,
                    (System.nanoTime() - joinStart) / 1e9, sim.isolatedNodes());
            GossipRound warmup = sim.round(Math.max(5, messages / 5), true, Duration.ofMillis(50), Duration.ofSeconds(30));
            System.out.println("# warm-up: " + warmup);
            GossipRound steady = sim.round(messages, true, Duration.ofMillis(50), Duration.ofSeconds(30));
            System.out.println("# steady: " + steady);
            report(prefix + "_steady", steady);
            System.out.printf(Locale.ROOT, "RESULT %s_steady_wall %.1f s%n", prefix, steady.wallTime().toMillis() / 1000.0);
            goal(prefix + "_steady_rmr", steady.rmr(), "<", 0.2);
            goal(prefix + "_steady_ldh", steady.ldh(), "<", 15);
            goal(prefix + "_steady_missed", steady.missed(), "<=", 0);
            if (nodes >= 1_000 && messages >= 100) {
                // issue 10: 1,000 nodes complete a 100-message round in under a minute of wall time
                goal(prefix + "_steady_wall_s", steady.wallTime().toMillis() / 1000.0, "<", 60);
            }

            long churnMissed = 0;
            long churnExpected = 0;
            for (int p = 1; p <= periods; p++) {
                int moved = sim.churn(churn, p % 2 == 1);
                sim.run(Duration.ofSeconds(5));
                GossipRound r = sim.round(messages, true, Duration.ofMillis(50), Duration.ofSeconds(30));
                System.out.printf(Locale.ROOT, "# churn period %d (%d nodes %s, as many joined): %s%n", p, moved,
                        p % 2 == 1 ? "crashed" : "left", r);
                churnMissed += r.missed();
                churnExpected += r.expected();
            }
            System.out.printf(Locale.ROOT, "RESULT %s_churn_missed %d of %d deliveries%n", prefix, churnMissed, churnExpected);
            goal(prefix + "_churn_missed", churnMissed, "<=", 0);

            if (partition) {
                sim.partition(0.5);
                sim.run(Duration.ofSeconds(10));
                sim.heal();
                sim.run(Duration.ofMinutes(3));
                GossipRound healed = sim.round(messages, true, Duration.ofMillis(50), Duration.ofSeconds(30));
                System.out.println("# 3 virtual minutes after a 50 % partition healed: " + healed);
                System.out.printf(Locale.ROOT, "RESULT %s_healed_missed %d of %d deliveries%n", prefix, healed.missed(), healed.expected());
            }
        }
    }

    private static void report(String prefix, GossipRound r) {
        System.out.printf(Locale.ROOT, "RESULT %s_rmr %.3f ratio%n", prefix, r.rmr());
        System.out.printf(Locale.ROOT, "RESULT %s_ldh %d hops%n", prefix, r.ldh());
        System.out.printf(Locale.ROOT, "RESULT %s_missed %d of %d deliveries%n", prefix, r.missed(), r.expected());
        System.out.printf(Locale.ROOT, "RESULT %s_latency_p50 %.1f ms (virtual)%n", prefix, r.latencyP50().toNanos() / 1e6);
        System.out.printf(Locale.ROOT, "RESULT %s_latency_p99 %.1f ms (virtual)%n", prefix, r.latencyP99().toNanos() / 1e6);
    }

    private static void goal(String name, double value, String op, double limit) {
        boolean met = op.equals("<") ? value < limit : value <= limit;
        System.out.printf(Locale.ROOT, "GOAL %s %s %s %s %s%n", name, fmt(value), op, fmt(limit), met ? "met" : "not met");
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3f", v);
    }
}
