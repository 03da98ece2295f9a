package dev.pando.testkit.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A private LAN made of Linux network namespaces, for tests that send multicast (mDNS) or need
 * several hosts: a hub namespace holding a bridge ({@code br0}, multicast snooping off) and one
 * namespace per site, each joined to the bridge by a veth pair whose site end is {@value #INTERFACE}
 * with address {@code 10.77.0.(site+1)/24}, the route {@code 224.0.0.0/4} for multicast, and
 * {@code lo} up. A process runs in a site with {@code ip netns exec NS …} ({@link #exec}): a JVM
 * cannot move its own threads into another namespace, so every node under test is a child process.
 *
 * <p><b>Needs root and {@code ip} of iproute2</b> ({@code ip netns}, veth, bridge): without them
 * {@link #create} fails with an {@link IllegalStateException} saying what to install, rather than
 * skipping. <b>It never touches this machine's real interfaces or its root namespace's
 * configuration</b>: the veth pairs are created directly inside their namespaces ({@code ip link add
 * … netns SITE … peer … netns HUB}), so nothing appears in the root namespace even briefly, nothing
 * is routed out of the lab, and multicast sent in a site reaches only the other sites.
 *
 * <p>Names are {@code pando-<label>-<pid>-<random>-<site|hub>}: parallel runs (and several labs in
 * one JVM) never collide, and every new lab deletes the namespaces of earlier labs whose process is
 * gone (killed before cleaning up). {@link #close()} deletes the lab's namespaces (which destroys
 * their interfaces and ends their routes), and a shutdown hook does it if a test forgot. Processes
 * still running in a deleted namespace keep it alive until they exit: stop them first.
 *
 * <pre>{@code
 * try (NetnsLab lab = NetnsLab.create("chat", 2)) {
 *     Process a = new ProcessBuilder(lab.exec(0, List.of("./pando", "chat", "--mdns"))).start();
 *     // a listens on lab.address(0) (10.77.0.1), on interface NetnsLab.INTERFACE
 * }
 * }</pre>
 */
public final class NetnsLab implements AutoCloseable {
    /** The name of each site's interface to the lab's bridge. */
    public static final String INTERFACE = "lan0";
    /** The most sites a lab holds (addresses 10.77.0.1 to 10.77.0.250). */
    public static final int MAX_SITES = 250;
    private static final String PREFIX = "pando-";
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]{1,16}");
    private static final long COMMAND_TIMEOUT_SECONDS = 30;

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
     * Builds a lab of {@code sites} namespaces joined by a bridge.
     *
     * @param label a short name for what uses it (1–16 of {@code a-z0-9}), part of every namespace name
     * @param sites how many site namespaces (1 to {@value #MAX_SITES})
     * @throws IllegalStateException with what to do, if {@code ip netns} is missing or not permitted,
     *     or if a command fails (the namespaces made so far are deleted)
     */
    public static NetnsLab create(String label, int sites) {
        Objects.requireNonNull(label, "label");
        if (!LABEL.matcher(label).matches()) {
            throw new IllegalArgumentException("a lab label is 1 to 16 of a-z and 0-9, got \"" + label + "\"");
        }
        if (sites < 1 || sites > MAX_SITES) {
            throw new IllegalArgumentException("a lab has 1 to " + MAX_SITES + " sites, got " + sites);
        }
        requireIpNetns("ip");
        deleteOrphans();
        byte[] random = new byte[3];
        new SecureRandom().nextBytes(random);
        String prefix = PREFIX + label + "-" + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random) + "-";
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

    /** How many sites the lab has. */
    public int sites() {
        return sites;
    }

    /** The namespace of {@code site} (0 to {@code sites() - 1}). */
    public String namespace(int site) {
        checkSite(site);
        return prefix + site;
    }

    /** The IPv4 address of {@code site}'s {@value #INTERFACE}: {@code 10.77.0.(site+1)}. */
    public InetAddress address(int site) {
        checkSite(site);
        try {
            return InetAddress.getByAddress(new byte[] {10, 77, 0, (byte) (site + 1)});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The command line that runs {@code command} inside {@code site}'s namespace: {@code ip netns exec
     * NS command…}, for a {@link ProcessBuilder}. The process keeps this process's user, working
     * directory, environment and file system; only its network is the site's.
     */
    public List<String> exec(int site, List<String> command) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command to run in " + namespace(site));
        }
        List<String> line = new ArrayList<>(List.of("ip", "netns", "exec", namespace(site)));
        line.addAll(command);
        return line;
    }

    /** The namespaces this lab made and has not deleted (the hub's included). */
    public synchronized List<String> namespaces() {
        return List.copyOf(namespaces);
    }

    /** Deletes the lab's namespaces; idempotent. */
    @Override
    public void close() {
        deleteAll();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook is running or has run
        }
    }

    private void checkSite(int site) {
        if (site < 0 || site >= sites) {
            throw new IllegalArgumentException("site " + site + " of " + sites);
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

    /** Namespaces of earlier labs whose JVM is gone (killed before its cleanup ran). */
    private static void deleteOrphans() {
        Result list = run(List.of("ip", "netns", "list"));
        for (String line : list.out().split("\n")) {
            String name = line.trim().split(" ")[0];
            if (!name.startsWith(PREFIX)) {
                continue;
            }
            // pando-<label>-<pid>-<random>-<suffix>
            String[] parts = name.substring(PREFIX.length()).split("-");
            if (parts.length != 4 || !LABEL.matcher(parts[0]).matches()) {
                continue;
            }
            try {
                long pid = Long.parseLong(parts[1]);
                if (ProcessHandle.of(pid).isEmpty()) {
                    run(List.of("ip", "netns", "del", name));
                }
            } catch (NumberFormatException e) {
                // not one of ours after all
            }
        }
    }

    /**
     * Fails with what to do unless {@code ip} (the command's name or path) can list namespaces.
     *
     * @throws IllegalStateException naming iproute2 and root if {@code ip} cannot run, or quoting
     *     {@code ip netns list}'s error if it fails
     */
    public static void requireIpNetns(String ip) {
        Result r;
        try {
            r = execute(List.of(ip, "netns", "list"));
        } catch (IOException e) {
            throw new IllegalStateException("tests in network namespaces need the `ip` command of iproute2"
                    + " (Debian: apt-get install iproute2) and root; `ip` could not be run: " + e.getMessage(), e);
        }
        if (r.exit() != 0) {
            throw new IllegalStateException("tests in network namespaces need `ip netns` (iproute2) and root;"
                    + " `ip netns list` failed: " + r.err().trim());
        }
    }

    private static void ip(String... args) {
        List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        Result r = run(command);
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + r.exit() + "): " + r.err().trim());
        }
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result run(List<String> command) {
        try {
            return execute(command);
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + " could not run: " + e.getMessage(), e);
        }
    }

    private static Result execute(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).start();
        try {
            p.getOutputStream().close();
            // both streams at once: a command filling one pipe must not block on the other
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            String out = read(p.getInputStream());
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out after " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), out, err.get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException | UncheckedIOException e) {
            p.destroyForcibly();
            throw new IOException("reading its output failed: " + e.getMessage(), e);
        }
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
