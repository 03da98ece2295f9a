package dev.pando.discovery.mdns;

import dev.pando.ConfigurationException;
import dev.pando.spi.ProviderOptions;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The options of provider "mdns" (the module README lists them). Parsed by {@code create}, so a bad
 * value fails there; interfaces are looked up only by {@link #bindAddresses()}, at start.
 *
 * @param active announce and browse ({@code mode=active}), or browse only ({@code mode=passive})
 * @param interfaces interface names to use; empty: every suitable one
 * @param maxPeers the most peers remembered at once
 * @param refreshInterval how often an active node announces its record again with a new beat
 *     (whole seconds, 1 s to 1 h), which receivers use to notice a node that left without a goodbye
 */
record MdnsOptions(boolean active, List<String> interfaces, int maxPeers, Duration refreshInterval) {
    static final String MODE = "mode";
    static final String INTERFACES = "interfaces";
    static final String MAX_PEERS = "max_peers";
    static final String REFRESH_INTERVAL = "refresh_interval";
    static final Set<String> KEYS = Set.of(MODE, INTERFACES, MAX_PEERS, REFRESH_INTERVAL);
    static final int DEFAULT_MAX_PEERS = 256;
    static final int MAX_MAX_PEERS = 65_536;
    static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofSeconds(20);

    MdnsOptions {
        interfaces = List.copyOf(interfaces);
    }

    /** @throws ConfigurationException naming the key, for unknown keys and bad values */
    static MdnsOptions parse(ProviderOptions options) {
        for (String key : options.asMap().keySet()) {
            if (!KEYS.contains(key)) {
                throw new ConfigurationException("mdns has no option \"" + key + "\"; its options are " + KEYS.stream().sorted().toList());
            }
        }
        String mode = options.string(MODE, "active").trim().toLowerCase(Locale.ROOT);
        boolean active;
        switch (mode) {
            case "active" -> active = true;
            case "passive" -> active = false;
            default -> throw new ConfigurationException("option " + MODE + " must be active or passive, got \"" + mode + "\"");
        }
        List<String> interfaces = new ArrayList<>();
        for (String name : options.string(INTERFACES, "").split(",", -1)) {
            String n = name.trim();
            if (!n.isEmpty()) {
                if (interfaces.contains(n)) {
                    throw new ConfigurationException("option " + INTERFACES + " names " + n + " twice");
                }
                interfaces.add(n);
            }
        }
        int maxPeers = options.integer(MAX_PEERS, DEFAULT_MAX_PEERS);
        if (maxPeers < 1 || maxPeers > MAX_MAX_PEERS) {
            throw new ConfigurationException("option " + MAX_PEERS + " must be 1.." + MAX_MAX_PEERS + ", got " + maxPeers);
        }
        Duration refresh = options.duration(REFRESH_INTERVAL, DEFAULT_REFRESH_INTERVAL);
        if (refresh.toNanos() % 1_000_000_000L != 0 || refresh.getSeconds() < 1
                || refresh.getSeconds() > MdnsRecord.MAX_REFRESH_SECONDS) {
            throw new ConfigurationException("option " + REFRESH_INTERVAL + " must be whole seconds from 1s to "
                    + MdnsRecord.MAX_REFRESH_SECONDS + "s, got " + refresh);
        }
        return new MdnsOptions(active, interfaces, maxPeers, refresh);
    }

    /**
     * One address per interface to bind an mDNS socket to: the named interfaces (each must be up
     * and have an address), or every interface that is up, multicast-capable, not loopback and not
     * point-to-point. An IPv4 address is preferred; else an IPv6 one (link-local included).
     *
     * @throws ConfigurationException if a named interface is missing, down or has no address, or
     *     no interface qualifies
     */
    List<InetAddress> bindAddresses() {
        Set<InetAddress> result = new LinkedHashSet<>();
        try {
            if (!interfaces.isEmpty()) {
                for (String name : interfaces) {
                    NetworkInterface ni = NetworkInterface.getByName(name);
                    if (ni == null) {
                        throw new ConfigurationException("option " + INTERFACES + ": no network interface \"" + name + "\"");
                    }
                    if (!ni.isUp()) {
                        throw new ConfigurationException("option " + INTERFACES + ": network interface " + name + " is down");
                    }
                    InetAddress a = preferred(ni);
                    if (a == null) {
                        throw new ConfigurationException("option " + INTERFACES + ": network interface " + name + " has no IP address");
                    }
                    result.add(a);
                }
            } else {
                for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                    if (ni.isUp() && ni.supportsMulticast() && !ni.isLoopback() && !ni.isPointToPoint()) {
                        InetAddress a = preferred(ni);
                        if (a != null) {
                            result.add(a);
                        }
                    }
                }
                if (result.isEmpty()) {
                    throw new ConfigurationException("mdns found no network interface that is up, multicast-capable and not loopback;"
                            + " name one with option " + INTERFACES);
                }
            }
        } catch (SocketException e) {
            throw new ConfigurationException("mdns could not list the network interfaces: " + e.getMessage(), e);
        }
        return List.copyOf(result);
    }

    private static InetAddress preferred(NetworkInterface ni) {
        InetAddress v6 = null;
        for (InetAddress a : Collections.list(ni.getInetAddresses())) {
            if (a instanceof Inet4Address) {
                return a;
            }
            if (v6 == null && a instanceof Inet6Address) {
                v6 = a;
            }
        }
        return v6;
    }
}
