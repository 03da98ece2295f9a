package dev.pando.discovery.mdns;

import dev.pando.ConfigurationException;
import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import dev.pando.spi.DiscoveryEvent;
import dev.pando.testkit.DiscoveryContract;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The parent's end of a {@link MdnsNodeProcess}: launches it inside a namespace on the module path
 * (this module's classes with the test classes patched in, api, jmdns, SLF4J, BouncyCastle),
 * sends commands and collects its events.
 */
final class NamespacedDiscovery implements DiscoveryContract.DiscoveryUnderTest {
    private static final Duration REPLY_DEADLINE = Duration.ofSeconds(90);
    private static final String MAIN = "dev.pando.discovery.mdns/dev.pando.discovery.mdns.MdnsNodeProcess";

    private final String namespace;
    private final Process process;
    private final Writer stdin;
    private final List<DiscoveryEvent> events = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Map<String, String>> replies = new LinkedBlockingQueue<>();
    private final Deque<String> stderrTail = new ArrayDeque<>();
    private boolean released;

    private NamespacedDiscovery(String namespace, Process process) {
        this.namespace = namespace;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread out = new Thread(this::readStdout, "child-stdout-" + namespace);
        out.setDaemon(true);
        out.start();
        Thread err = new Thread(this::readStderr, "child-stderr-" + namespace);
        err.setDaemon(true);
        err.start();
    }

    /**
     * Runs {@code mainClass} of this module (test classes included) in {@code namespace}, with the
     * same module path as the nodes; the caller reads and ends the process.
     */
    static Process run(String namespace, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-p", modulePath(), "--patch-module", "dev.pando.discovery.mdns=" + testClasses(),
                "-m", "dev.pando.discovery.mdns/" + mainClass));
        command.addAll(args);
        try {
            return new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("could not run " + mainClass + " in " + namespace + ": " + e.getMessage(), e);
        }
    }

    /** Launches a node in {@code namespace} with these provider options. */
    static NamespacedDiscovery launch(String namespace, PublicKey nodeId, NetworkId networkId, Map<String, String> options) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-p", modulePath(), "--patch-module", "dev.pando.discovery.mdns=" + testClasses(),
                "-m", MAIN, nodeId.hex(), networkId.hex()));
        options.forEach((k, v) -> command.add(k + "=" + v));
        try {
            return new NamespacedDiscovery(namespace, new ProcessBuilder(command).start());
        } catch (IOException e) {
            throw new IllegalStateException("could not launch a node in " + namespace + ": " + e.getMessage(), e);
        }
    }

    private static String modulePath() {
        List<String> entries = new ArrayList<>();
        entries.add(base().resolve("target/classes").toString());
        // the modules the child resolves, found where this JVM's boot layer found them
        for (String module : List.of("dev.pando.api", "javax.jmdns", "org.slf4j", "org.bouncycastle.provider")) {
            entries.add(Path.of(ModuleLayer.boot().configuration().findModule(module)
                    .orElseThrow(() -> new IllegalStateException("the test runs without module " + module + " on its module path"))
                    .reference().location().orElseThrow()).toString());
        }
        return entries.stream().distinct().collect(Collectors.joining(java.io.File.pathSeparator));
    }

    private static String testClasses() {
        return base().resolve("target/test-classes").toString();
    }

    private static Path base() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    }

    @Override
    public void start(List<NodeAddress> ownAddresses) {
        command("start", ownAddresses);
    }

    @Override
    public void addressesChanged(List<NodeAddress> ownAddresses) {
        command("change", ownAddresses);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            command("close", List.of());
        }
    }

    @Override
    public List<DiscoveryEvent> events() {
        return List.copyOf(events);
    }

    /** The child's counters, peer count, heap in use after a GC, and jmdns thread counts. */
    Map<String, String> stats() {
        return command("stats", List.of());
    }

    /**
     * Ends the child by closing its stdin: its main returns without closing the discovery.
     * Returns whether the JVM then exited by itself within {@code deadline} (it is killed if not).
     */
    boolean endsByItself(Duration deadline) {
        synchronized (this) {
            released = true;
        }
        try {
            stdin.close();
        } catch (IOException e) {
            // the child is gone already
        }
        try {
            if (process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        return false;
    }

    /**
     * Kills the child with SIGKILL, as a crash would: no goodbye record leaves it. Returns once it
     * is gone.
     */
    void kill() {
        synchronized (this) {
            released = true;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(REPLY_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the node in " + namespace + " did not die within " + REPLY_DEADLINE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Override
    public void release() {
        synchronized (this) {
            if (released) {
                return;
            }
        }
        endsByItself(Duration.ofSeconds(30));
    }

    boolean isAlive() {
        return process.isAlive();
    }

    private synchronized Map<String, String> command(String verb, List<NodeAddress> addresses) {
        StringBuilder line = new StringBuilder(verb);
        for (NodeAddress a : addresses) {
            line.append(' ').append(a.toText());
        }
        try {
            stdin.write(line.append('\n').toString());
            stdin.flush();
        } catch (IOException e) {
            throw new AssertionError("the node in " + namespace + " is gone: " + stderr(), e);
        }
        Map<String, String> reply;
        try {
            reply = replies.poll(REPLY_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        if (reply == null) {
            throw new AssertionError("the node in " + namespace + " did not answer " + verb + " within " + REPLY_DEADLINE
                    + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")") + ": " + stderr());
        }
        if (!verb.equals(reply.get("reply"))) {
            throw new AssertionError("the node in " + namespace + " answered " + reply + " to " + verb);
        }
        if (!"true".equals(reply.get("ok"))) {
            String message = reply.get("message");
            switch (reply.getOrDefault("error", "")) {
                case "IllegalStateException" -> throw new IllegalStateException(message);
                case "ConfigurationException" -> throw new ConfigurationException(message);
                default -> throw new AssertionError("the node in " + namespace + " failed " + verb + ": " + reply);
            }
        }
        return reply;
    }

    /** The last lines the child wrote to stderr. */
    String stderr() {
        synchronized (stderrTail) {
            return String.join("\n", stderrTail);
        }
    }

    private void readStdout() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                Map<String, String> m = MdnsNodeProcess.parse(line);
                String event = m.get("event");
                if ("PeerDiscovered".equals(event)) {
                    events.add(new DiscoveryEvent.PeerDiscovered(NodeAddress.parse(m.get("address")), m.get("source")));
                } else if ("PeerLost".equals(event)) {
                    events.add(new DiscoveryEvent.PeerLost(PublicKey.fromHex(m.get("node")), m.get("source")));
                } else if (m.containsKey("reply")) {
                    replies.add(m);
                } else {
                    synchronized (stderrTail) {
                        stderrTail.add("stdout: " + line);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            synchronized (stderrTail) {
                stderrTail.add("reading stdout failed: " + e);
            }
        }
    }

    private void readStderr() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (stderrTail) {
                    stderrTail.add(line);
                    while (stderrTail.size() > 40) {
                        stderrTail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            // the child is gone
        }
    }
}
