package dev.pando.discovery.bootstrap;

import dev.pando.ConfigurationException;
import dev.pando.NodeAddress;
import dev.pando.spi.ProviderOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The options of provider "bootstrap", read and checked once in {@code create}. */
record BootstrapOptions(List<NodeAddress> peers, Duration walkInterval, int walkDepth, int maxPeers, int maxRecords,
                        Duration recordTtl, Duration maxClockSkew, Duration redialMin, Duration redialMax,
                        Duration exchangeTimeout, int requestsPerMinute, int maxServing) {

    static final Set<String> KEYS = Set.of("peers", "walk_interval", "walk_depth", "max_peers", "max_records",
            "record_ttl", "max_clock_skew", "redial_min", "redial_max", "exchange_timeout", "requests_per_minute",
            "max_serving");
    static final int MAX_BOOTSTRAP_PEERS = 32;

    static BootstrapOptions read(ProviderOptions o) {
        List<NodeAddress> peers = new ArrayList<>();
        String list = o.string("peers", "").trim();
        if (!list.isEmpty()) {
            // an address may itself contain ',' (between direct addresses and inside a relay URL),
            // so peers are separated by whitespace or by ',' directly before a 64-hex node id and '@'
            for (String text : list.split("\\s+|,(?=[0-9a-fA-F]{64}@)")) {
                if (text.isEmpty()) {
                    continue;
                }
                try {
                    peers.add(NodeAddress.parse(text));
                } catch (IllegalArgumentException e) {
                    throw new ConfigurationException("discovery \"bootstrap\": option peers: \"" + text + "\" is not a node address ("
                            + e.getMessage() + ")");
                }
            }
        }
        if (peers.size() > MAX_BOOTSTRAP_PEERS) {
            throw new ConfigurationException("discovery \"bootstrap\": option peers: " + peers.size()
                    + " bootstrap peers, at most " + MAX_BOOTSTRAP_PEERS);
        }
        try {
            BootstrapOptions r = new BootstrapOptions(List.copyOf(peers),
                    o.positiveDuration("walk_interval", Duration.ofSeconds(30)),
                    range(o, "walk_depth", 3, 1, 16),
                    range(o, "max_peers", 256, 1, 65_536),
                    range(o, "max_records", 16, 1, PeerExchangeWire.MAX_WANTED),
                    o.positiveDuration("record_ttl", Duration.ofMinutes(10)),
                    o.duration("max_clock_skew", Duration.ofSeconds(60)),
                    o.positiveDuration("redial_min", Duration.ofSeconds(1)),
                    o.positiveDuration("redial_max", Duration.ofSeconds(60)),
                    o.positiveDuration("exchange_timeout", Duration.ofSeconds(10)),
                    range(o, "requests_per_minute", 30, 1, 6_000),
                    range(o, "max_serving", 16, 1, 1_024));
            if (r.redialMax.compareTo(r.redialMin) < 0) {
                throw new ConfigurationException("discovery \"bootstrap\": redial_max (" + r.redialMax + ") is below redial_min ("
                        + r.redialMin + ")");
            }
            if (r.maxClockSkew.isNegative()) {
                throw new ConfigurationException("discovery \"bootstrap\": max_clock_skew must not be negative");
            }
            return r;
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("discovery \"bootstrap\": " + e.getMessage(), e);
        }
    }

    private static int range(ProviderOptions o, String key, int def, int min, int max) {
        int v = o.integer(key, def);
        if (v < min || v > max) {
            throw new ConfigurationException("discovery \"bootstrap\": option " + key + " = " + v + ", must be " + min + ".." + max);
        }
        return v;
    }
}
