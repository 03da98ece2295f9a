package dev.pando.benchmarks;

import dev.pando.transport.relay.RelayServer;
import dev.pando.transport.relay.RelayServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code benchmarks/run chat}: {@code pando chat --json} as processes (child JVMs on this module
 * path). Alice types 200 messages paced at 10/s into her stdin; the latency of each is from the
 * write to her stdin to the line on Bob's stdout. Run twice: direct (Bob given Alice's address) and
 * through a relay (Bob given only her node id and the relay URL; the relay runs in this JVM).
 * Also: start-up to "ready" for Bob, and the resident memory (VmRSS) of an idle chat. Usage:
 * {@code ChatBenchmark [--quick] [--messages N]}.
 */
public final class ChatBenchmark {
    private static final Pattern TEXT = Pattern.compile("\"event\":\"message\".*\"text\":\"m(\\d+)\"");
    private static final Pattern STARTED = Pattern.compile("\"node_id\":\"([0-9a-f]{64})\",\"address\":\"([^\"]+)\"");

    private ChatBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> argList = Arrays.asList(args);
        int n = argList.contains("--quick") ? 30 : 200;
        int at = argList.indexOf("--messages");
        if (at >= 0 && at + 1 < args.length) {
            n = Integer.parseInt(args[at + 1]);
        }
        System.out.printf("# chat: %d messages paced at 10/s between two pando chat processes, load %s%n", n,
                Files.readString(Path.of("/proc/loadavg")).trim());
        run("direct", n, null);
        try (RelayServer relay = RelayServer.create(RelayServerConfig.defaults()
                .withBind(new InetSocketAddress("127.0.0.1", 0)))) {
            relay.start();
            run("relay", n, relay.url().toString());
        }
    }

    private static void run(String how, int n, String relay) throws Exception {
        List<String> aliceArgs = new ArrayList<>(List.of("--nick", "alice", "--bind", "127.0.0.1", "--bootstrap"));
        if (relay != null) {
            aliceArgs.addAll(List.of("--relay", relay));
        }
        Chat alice = Chat.start(aliceArgs);
        try {
            List<String> bobArgs = new ArrayList<>(List.of("--nick", "bob", "--bind", "127.0.0.1"));
            if (relay != null) {
                bobArgs.addAll(List.of("--relay", relay, "--bootstrap-peer", alice.nodeId));
            } else {
                bobArgs.addAll(List.of("--peer", alice.address));
            }
            long t0 = System.nanoTime();
            Chat bob = Chat.start(bobArgs);
            try {
                bob.awaitLine("\"event\":\"ready\"");
                double readyMs = (System.nanoTime() - t0) / 1e6;
                long[] sent = new long[n];
                double[] latency = new double[n];
                Map<Integer, Long> arrived = bob.arrivals;
                for (int i = 0; i < n; i++) {
                    sent[i] = System.nanoTime();
                    alice.say("m" + i);
                    long next = sent[i] + 100_000_000L;
                    long wait;
                    while ((wait = next - System.nanoTime()) > 0) {
                        java.util.concurrent.locks.LockSupport.parkNanos(wait);
                    }
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (arrived.size() < n && System.nanoTime() < deadline) {
                    java.util.concurrent.locks.LockSupport.parkNanos(10_000_000L);
                }
                if (arrived.size() < n) {
                    throw new IllegalStateException(how + ": " + arrived.size() + " of " + n + " messages arrived");
                }
                for (int i = 0; i < n; i++) {
                    latency[i] = (arrived.get(i) - sent[i]) / 1e6;
                }
                Arrays.sort(latency);
                System.out.println(new Figure("chat_" + how + "_latency_p50", latency[n / 2], 0, "ms").line());
                System.out.println(new Figure("chat_" + how + "_latency_p99", latency[(int) Math.ceil(n * 0.99) - 1], 0, "ms").line());
                System.out.println(new Figure("chat_" + how + "_start_to_ready", readyMs, 0, "ms").line());
                System.out.println(new Figure("chat_" + how + "_idle_rss", bob.rssMiB(), 0, "MiB").line());
            } finally {
                bob.stop();
            }
        } finally {
            alice.stop();
        }
    }

    /** One {@code pando chat --json} child process. */
    private static final class Chat {
        final Process process;
        final OutputStream stdin;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Map<Integer, Long> arrivals = new ConcurrentHashMap<>();
        String nodeId;
        String address;

        private Chat(Process process) {
            this.process = process;
            this.stdin = process.getOutputStream();
        }

        static Chat start(List<String> args) throws Exception {
            List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow()));
            ModuleLayer.boot().modules().stream().map(Module::getName)
                    .filter(m -> m.startsWith("io.netty.codec.quic.") && !m.equals("io.netty.codec.quic.classes"))
                    .forEach(m -> command.addAll(List.of("--add-modules", m)));
            command.addAll(List.of("-p", System.getProperty("jdk.module.path"), "-m",
                    "dev.pando.examples/dev.pando.examples.Pando", "chat", "--json"));
            command.addAll(args);
            Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Chat c = new Chat(p);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        long now = System.nanoTime();
                        Matcher m = TEXT.matcher(line);
                        if (m.find()) {
                            c.arrivals.putIfAbsent(Integer.parseInt(m.group(1)), now);
                        }
                        c.lines.add(line);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            }, "chat-reader");
            reader.setDaemon(true);
            reader.start();
            String started = c.awaitLine("\"event\":\"started\"");
            Matcher m = STARTED.matcher(started);
            if (!m.find()) {
                throw new IllegalStateException("no node id in " + started);
            }
            c.nodeId = m.group(1);
            c.address = m.group(2);
            return c;
        }

        String awaitLine(String contains) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                String line = lines.poll(1, TimeUnit.SECONDS);
                if (line != null && line.contains(contains)) {
                    return line;
                }
            }
            throw new IllegalStateException("no line with " + contains + " in 120 s");
        }

        void say(String text) throws IOException {
            stdin.write((text + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }

        double rssMiB() throws IOException {
            for (String l : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
            return Double.NaN;
        }

        void stop() throws Exception {
            stdin.close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
