package dev.pando.discovery.mdns;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private LAN made of network namespaces, so that no multicast of a test ever reaches this
 * machine's real interfaces: a hub namespace holding a bridge ({@code br0}, multicast snooping off)
 * and one namespace per site, each joined to the bridge by a veth pair whose site end is
 * {@value #INTERFACE} with address 10.77.0.(site+1)/24 and the multicast route. The pairs are
 * created directly inside their namespaces, so nothing appears in the root namespace even briefly.
 *
 * <p>Names are {@code pando-mdns-<pid>-<random>-<site|hub>}: parallel runs never collide, and a
 * new lab deletes the namespaces of runs whose process is gone (killed before cleaning up).
 * {@link #close()} deletes everything, and a shutdown hook does it if a test forgot.
 */
final class NetnsLab implements AutoCloseable {
    static final String INTERFACE = "lan0";
    private static final String PREFIX = "pando-mdns-";

    private final String prefix;
    private final int sites;
    private final List<String> namespaces = new ArrayList<>();
    private final Thread hook;
    private boolean closed;

    private NetnsLab(String prefix, int sites) {
        this.prefix = prefix;
        this.sites = sites;
        this.hook = new Thread(this::deleteAll, "netns-lab-cleanup");
    }

    /**
     * Builds the lab.
     *
     * @throws IllegalStateException with what to do, if {@code ip netns} is missing or not permitted
     */
    static NetnsLab create(int sites) {
        requireIpNetns();
        deleteOrphans();
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        String prefix = PREFIX + ProcessHandle.current().pid() + "-" + ZBase32.encode(random) + "-";
        NetnsLab lab = new NetnsLab(prefix, sites);
        Runtime.getRuntime().addShutdownHook(lab.hook);
        try {
            String hub = lab.add("hub");
            ip("-n", hub, "link", "set", "lo", "up");
            ip("-n", hub, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
            ip("-n", hub, "link", "set", "br0", "up");
            for (int i = 0; i < sites; i++) {
                String ns = lab.add(Integer.toString(i));
                String port = "p" + i;
                ip("link", "add", INTERFACE, "netns", ns, "type", "veth", "peer", "name", port, "netns", hub);
                ip("-n", hub, "link", "set", port, "master", "br0");
                ip("-n", hub, "link", "set", port, "up");
                ip("-n", ns, "link", "set", "lo", "up");
                ip("-n", ns, "addr", "add", lab.address(i).getHostAddress() + "/24", "dev", INTERFACE);
                ip("-n", ns, "link", "set", INTERFACE, "up");
                ip("-n", ns, "route", "add", "224.0.0.0/4", "dev", INTERFACE);
            }
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    /** The namespace of {@code site}. */
    String namespace(int site) {
        if (site < 0 || site >= sites) {
            throw new IllegalArgumentException("site " + site + " of " + sites);
        }
        return prefix + site;
    }

    /** The IPv4 address of {@code site}'s interface. */
    InetAddress address(int site) {
        try {
            return InetAddress.getByAddress(new byte[] {10, 77, 0, (byte) (site + 1)});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The namespaces this lab made and has not deleted. */
    synchronized List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    @Override
    public void close() {
        deleteAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running or has run
        }
    }

    private synchronized String add(String suffix) {
        String ns = prefix + suffix;
        ip("netns", "add", ns);
        namespaces.add(ns);
        return ns;
    }

    private synchronized void deleteAll() {
        if (closed) {
            return;
        }
        closed = true;
        for (String ns : namespaces) {
            // deleting a namespace destroys its veth ends, and with them their peers
            run(List.of("ip", "netns", "del", ns));
        }
        namespaces.clear();
    }

    /** Namespaces of earlier runs whose JVM is gone (killed before its cleanup ran). */
    private static void deleteOrphans() {
        Result list = run(List.of("ip", "netns", "list"));
        for (String line : list.out().split("\n")) {
            String name = line.trim().split(" ")[0];
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            String[] parts = name.substring(PREFIX.length()).split("-");
            try {
                long pid = Long.parseLong(parts[0]);
                if (ProcessHandle.of(pid).isEmpty()) {
                    run(List.of("ip", "netns", "del", name));
                }
            } catch (NumberFormatException e) {
                // not one of ours after all
            }
        }
    }

    private static void requireIpNetns() {
        requireIpNetns("ip");
    }

    /** Fails with what to do unless {@code ip} (the command's name or path) can list namespaces. */
    static void requireIpNetns(String ip) {
        Result r;
        try {
            r = exec(List.of(ip, "netns", "list"));
        } catch (IOException e) {
            throw new IllegalStateException("the mDNS tests need the `ip` command of iproute2 (Debian: apt-get install iproute2)"
                    + " and root, to build network namespaces; `ip` could not be run: " + e.getMessage(), e);
        }
        if (r.exit() != 0) {
            throw new IllegalStateException("the mDNS tests need `ip netns` (iproute2) and root to build network namespaces;"
                    + " `ip netns list` failed: " + r.err().trim());
        }
    }

    static void ip(String... args) {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        Result r = run(command);
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + r.exit() + "): " + r.err().trim());
        }
    }

    record Result(int exit, String out, String err) {
    }

    private static Result run(List<String> command) {
        try {
            return exec(command);
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + " could not run: " + e.getMessage(), e);
        }
    }

    private static Result exec(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).start();
        try {
            p.getOutputStream().close();
            String out = read(p.getInputStream());
            String err = read(p.getErrorStream());
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after 30 s");
            }
            return new Result(p.exitValue(), out, err);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
}
