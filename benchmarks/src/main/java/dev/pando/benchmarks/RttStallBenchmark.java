package dev.pando.benchmarks;

import dev.pando.testkit.support.UdpDelayRelay;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Does kwik's stall also happen with real round-trip times? Runs the QUIC stacks through a fresh
 * {@link UdpDelayRelay} (a userspace relay on loopback: this kernel has no netem) for each RTT,
 * counting stalled runs. For each RTT (0 = no relay, the client dials the server directly) and each
 * metric, {@code runs} runs per stack, stacks interleaved run by run, each on a fresh server, relay
 * and client:
 * <ul>
 *   <li>{@code rr}: 1 KiB request, 1 KiB echo on one stream, round trips per second; 2,000 round
 *       trips, fewer where that would take longer than {@code rrMaxMillis} of pure RTT (250 at
 *       20 ms), so that a full session fits its time budget;</li>
 *   <li>{@code bulk}: 16 MiB on one stream, client to server, MB/s (10^6 bytes);</li>
 *   <li>{@code streams}: 200 streams, each 1 KiB echoed and closed, streams per second.</li>
 * </ul>
 * The run logic (metrics, watchdog) is {@link TransportBenchmark}'s. A run that moves no byte for
 * the stall deadline (default 10 s, far above any RTT effect) counts as stalled. With each RTT a
 * baseline is measured in the same session: the round trip of 1 KiB UDP datagrams through such a
 * relay to a plain UDP echo socket. Usage: {@code RttStallBenchmark [--quick] [--runs N]
 * [--rtts 0,2,20] [--metrics rr,bulk,streams] [--stall-seconds S] [--stacks quic,quic-netty,raw-kwik]}; a kwik stack can carry
 * configuration changes, e.g. {@code raw-kwik+irtt20+pkt1200+win256k} (see
 * {@link TransportRawKwikStack.Tuning}).
 */
public final class RttStallBenchmark {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;
    private static final int PINGS = 50;

    /** What one session measures. */
    record Plan(List<Double> rttsMillis, List<String> metrics, int runs, long stallMillis, int rr, long rrMaxMillis, long bulk,
            int streams) {
        static final List<String> METRICS = List.of("rr", "bulk", "streams");

        static Plan standard() {
            return new Plan(List.of(0.0, 2.0, 20.0), METRICS, 10, 10_000, 2_000, 5_000, 16L * MIB, 200);
        }

        static Plan quick() {
            return new Plan(List.of(0.0, 2.0, 20.0), METRICS, 2, 10_000, 500, 1_000, 4L * MIB, 50);
        }

        /** Round trips per rr run at this RTT: {@code rr}, capped at {@code rrMaxMillis} of pure RTT. */
        int rr(double rttMillis) {
            return rttMillis <= 0 ? rr : (int) Math.max(1, Math.min(rr, rrMaxMillis / rttMillis));
        }

        long size(String metric, double rttMillis) {
            return switch (metric) {
                case "rr" -> rr(rttMillis);
                case "bulk" -> bulk;
                default -> streams;
            };
        }
    }

    /** What one run produced, and what its relay counted (zeros without a relay). */
    record Run(TransportBenchmark.Outcome outcome, UdpDelayRelay.Counters relay) {
    }

    private static final UdpDelayRelay.Counters NO_RELAY = new UdpDelayRelay.Counters(0, 0, 0, 0);

    private final Plan plan;
    private final Consumer<String> out;
    /** TransportBenchmark's watchdog, unchanged; of its plan only the stall deadline is used. */
    private final TransportBenchmark watchdog;

    RttStallBenchmark(Plan plan, Consumer<String> out) {
        this.plan = plan;
        this.out = out;
        this.watchdog = new TransportBenchmark(
                new TransportBenchmark.Plan(plan.runs, plan.stallMillis, 0, 0, 0, 0, 0, 0, 0, 0), out);
    }

    public static void main(String[] args) {
        Plan plan = Plan.standard();
        List<String> names = List.of("quic", "quic-netty", "raw-kwik");
        Integer runs = null;
        Long stall = null;
        List<Double> rtts = null;
        List<String> metrics = null;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--quick" -> plan = Plan.quick();
                    case "--runs" -> runs = Integer.parseInt(args[++i]);
                    case "--stall-seconds" -> stall = Long.parseLong(args[++i]) * 1000;
                    case "--rtts" -> rtts = Arrays.stream(args[++i].split(",")).map(Double::valueOf).toList();
                    case "--stacks" -> names = Arrays.asList(args[++i].split(","));
                    case "--metrics" -> metrics = Arrays.asList(args[++i].split(","));
                    default -> throw new IllegalArgumentException(args[i]);
                }
            }
            if ((runs != null && runs < 1) || (stall != null && stall < 1) || (rtts != null && rtts.stream().anyMatch(r -> r < 0))
                    || (metrics != null && !Plan.METRICS.containsAll(metrics))) {
                throw new IllegalArgumentException("out of range");
            }
        } catch (RuntimeException e) {
            System.err.println("usage: RttStallBenchmark [--quick] [--runs N] [--rtts 0,2,20] [--metrics rr,bulk,streams] [--stall-seconds S] "
                    + "[--stacks quic,quic-netty,raw-kwik[+irtt<ms>][+pkt1200][+win<KiB>k]]");
            System.exit(2);
            return;
        }
        plan = new Plan(rtts != null ? rtts : plan.rttsMillis, metrics != null ? metrics : plan.metrics, runs != null ? runs : plan.runs,
                stall != null ? stall : plan.stallMillis, plan.rr, plan.rrMaxMillis, plan.bulk, plan.streams);
        ExecutorService workers = Executors.newCachedThreadPool(TransportBenchmark.daemons("rtt-bench-server-"));
        int status;
        try {
            List<TransportStack> stacks = new ArrayList<>();
            for (String name : names) {
                stacks.add(stack(name, workers));
            }
            new RttStallBenchmark(plan, System.out::println).runAll(stacks);
            status = 0;
        } catch (RuntimeException e) {
            e.printStackTrace();
            status = 1;
        }
        // runs abandoned as stalled may leave library threads behind: exit explicitly
        System.exit(status);
    }

    /** The QUIC stacks by name; {@code raw-kwik+…} carries kwik configuration changes. TCP has no UDP to relay. */
    static TransportStack stack(String name, ExecutorService workers) {
        if (name.startsWith("raw-kwik")) {
            return new TransportRawKwikStack(workers, TransportRawKwikStack.Tuning.parse(name.substring("raw-kwik".length())));
        }
        return switch (name) {
            case "quic", "quic-netty" -> new TransportPandoStack(name, workers);
            default -> throw new IllegalArgumentException("unknown stack " + name + " (quic, quic-netty, raw-kwik[+…])");
        };
    }

    /**
     * Runs every RTT, metric and stack and prints the RESULT lines.
     *
     * @return every run, by RTT label, metric and stack name
     */
    Map<String, Map<String, Map<String, List<Run>>>> runAll(List<TransportStack> stacks) {
        out.accept(String.format(Locale.ROOT,
                "# plan: RTTs %s ms (0 = no relay); metrics %s; %d runs per RTT, metric and stack; rr %d round trips (at most %d ms of pure RTT), "
                        + "bulk %d MiB, %d streams; stall = %d ms without progress; stacks %s",
                plan.rttsMillis, plan.metrics, plan.runs, plan.rr, plan.rrMaxMillis, plan.bulk / MIB, plan.streams, plan.stallMillis,
                stacks.stream().map(TransportStack::name).toList()));
        Map<String, Map<String, Map<String, List<Run>>>> all = new LinkedHashMap<>();
        for (double rtt : plan.rttsMillis) {
            String label = label(rtt);
            baseline(rtt);
            Map<String, Map<String, List<Run>>> byMetric = new LinkedHashMap<>();
            for (String m : plan.metrics) {
                Map<String, List<Run>> byStack = new LinkedHashMap<>();
                for (int r = 0; r < plan.runs; r++) {
                    for (TransportStack s : stacks) {
                        byStack.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(run(s, m, plan.size(m, rtt), rtt));
                    }
                }
                byStack.forEach((stack, runs) -> report(label, stack, m, unit(m), plan.size(m, rtt), runs));
                byMetric.put(m, byStack);
            }
            for (TransportStack s : stacks) {
                summary(label, s.name(), byMetric);
            }
            all.put(label, byMetric);
        }
        return all;
    }

    private static String unit(String metric) {
        return switch (metric) {
            case "rr" -> "rt/s";
            case "bulk" -> "MB/s";
            default -> "streams/s";
        };
    }

    /** {@code rtt_20ms}, {@code rtt_0.4ms}. */
    static String label(double rttMillis) {
        String ms = rttMillis == Math.rint(rttMillis) ? String.valueOf((long) rttMillis) : String.valueOf(rttMillis);
        return "rtt_" + ms + "ms";
    }

    /** One run on a fresh server, relay (unless the RTT is 0) and client, under TransportBenchmark's watchdog. */
    Run run(TransportStack stack, String metric, long size, double rttMillis) {
        AtomicReference<UdpDelayRelay> relayOfRun = new AtomicReference<>();
        AtomicReference<TransportStack.Client> clientOfRun = new AtomicReference<>();
        TransportBenchmark.Outcome outcome = watchdog.guarded(p -> {
            // registered first, so it runs before the watchdog closes anything
            p.onAbort(() -> stallReport(stack, metric, rttMillis, clientOfRun.get(), relayOfRun.get()));
            try (TransportStack.Server server = stack.startServer()) {
                p.onAbort(server);
                UdpDelayRelay relay = rttMillis > 0 ? relay(server.address(), rttMillis) : null;
                if (relay != null) {
                    relayOfRun.set(relay);
                    p.onAbort(relay);
                }
                try {
                    TransportStack.Client client = relay == null ? server.connect() : server.connect(relay.address());
                    clientOfRun.set(client);
                    p.onAbort(client);
                    p.tick(); // connected: from here on the deadline watches the data
                    try {
                        return switch (metric) {
                            case "rr" -> TransportBenchmark.roundTrips(client, (int) size, p);
                            case "bulk" -> TransportBenchmark.bulk(client, size, p);
                            case "streams" -> TransportBenchmark.streams(client, (int) size, p);
                            default -> throw new IllegalArgumentException(metric);
                        };
                    } finally {
                        client.close();
                    }
                } finally {
                    if (relay != null) {
                        relay.close();
                    }
                }
            }
        });
        UdpDelayRelay relay = relayOfRun.get();
        if (relay == null) {
            return new Run(outcome, NO_RELAY);
        }
        relay.close(); // idempotent; a run abandoned by the watchdog may not have got to it
        return new Run(outcome, relay.counters());
    }

    /** A comment line at the moment a run is cut off: what the relay and (for raw kwik) kwik saw. */
    private void stallReport(TransportStack stack, String metric, double rttMillis, TransportStack.Client client,
            UdpDelayRelay relay) {
        StringBuilder b = new StringBuilder("# stalled: ").append(label(rttMillis)).append(' ').append(stack.name())
                .append(' ').append(metric);
        if (relay != null) {
            UdpDelayRelay.Counters c = relay.counters();
            b.append("; relay forwarded ").append(c.forwarded()).append(", dropped ")
                    .append(c.droppedByLoss() + c.droppedByOverflow() + c.failed());
        }
        if (client == null) {
            b.append("; not connected");
        } else {
            TransportRawKwikStack.diagnose(client).ifPresent(d -> b.append("; ").append(d));
        }
        out.accept(b.toString());
    }

    private static UdpDelayRelay relay(InetSocketAddress target, double rttMillis) {
        return UdpDelayRelay.to(target).delay(Duration.ofNanos(Math.round(rttMillis * 1e6 / 2))).start();
    }

    private void report(String label, String stack, String metric, String unit, long size, List<Run> runs) {
        String prefix = label + "_" + stack + "_" + metric;
        double[] values = runs.stream().map(Run::outcome).filter(TransportBenchmark.Outcome::ok)
                .mapToDouble(TransportBenchmark.Outcome::value).sorted().toArray();
        String sizeNote = switch (metric) {
            case "rr" -> size + " round trips";
            case "bulk" -> size / MIB + " MiB";
            default -> size + " streams";
        };
        if (values.length > 0) {
            out.accept(String.format(Locale.ROOT, "RESULT %s %s %s (median of %d completed runs of %s)", prefix,
                    TransportBenchmark.format(TransportBenchmark.percentile(values, 0.5)), unit, values.length, sizeNote));
        } else {
            out.accept("RESULT " + prefix + " none " + unit + " (no run of " + sizeNote + " completed)");
        }
        long stalled = runs.stream().filter(r -> r.outcome().stalled()).count();
        out.accept("RESULT " + prefix + "_stalled " + stalled + "/" + runs.size() + " runs");
        List<String> failures = runs.stream().map(r -> r.outcome().failure()).filter(f -> f != null).toList();
        if (!failures.isEmpty()) {
            out.accept("RESULT " + prefix + "_failures " + failures.size() + "/" + runs.size() + " runs (first: "
                    + failures.get(0) + ")");
        }
        long dropped = runs.stream().mapToLong(r -> r.relay().droppedByOverflow() + r.relay().failed()).sum();
        if (dropped > 0) {
            out.accept("RESULT " + prefix + "_relay_dropped " + dropped + " datagrams (queue overflow or send failure, over "
                    + runs.size() + " runs)");
        }
    }

    /** Stalled runs of one stack at one RTT over all metrics, and what the relays forwarded and dropped. */
    private void summary(String label, String stack, Map<String, Map<String, List<Run>>> byMetric) {
        long stalled = 0;
        long total = 0;
        long forwarded = 0;
        long dropped = 0;
        for (Map<String, List<Run>> byStack : byMetric.values()) {
            for (Run r : byStack.getOrDefault(stack, List.of())) {
                total++;
                stalled += r.outcome().stalled() ? 1 : 0;
                forwarded += r.relay().forwarded();
                dropped += r.relay().droppedByOverflow() + r.relay().failed();
            }
        }
        out.accept("RESULT " + label + "_" + stack + "_stalled_all " + stalled + "/" + total + " runs"
                + " (" + String.join(", ", plan.metrics) + ")"
                + (label.equals("rtt_0ms") ? "" : "; relays forwarded " + forwarded + " datagrams, dropped " + dropped));
    }

    /**
     * The baseline of this RTT, measured now: {@value #PINGS} round trips of a 1 KiB datagram through
     * a fresh relay (none at RTT 0) to a plain UDP echo socket; the median and the smallest, in ms.
     */
    void baseline(double rttMillis) {
        String label = label(rttMillis);
        try (DatagramSocket echo = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                DatagramSocket client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress echoAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort());
            Thread echoer = new Thread(() -> echo(echo), "rtt-bench-udp-echo");
            echoer.setDaemon(true);
            echoer.start();
            UdpDelayRelay relay = rttMillis > 0 ? relay(echoAddress, rttMillis) : null;
            try {
                InetSocketAddress to = relay == null ? echoAddress : relay.address();
                client.setSoTimeout(5_000);
                byte[] ping = new byte[KIB];
                byte[] pong = new byte[KIB];
                double[] ms = new double[PINGS];
                for (int i = 0; i < PINGS; i++) {
                    ping[0] = (byte) i;
                    long start = System.nanoTime();
                    client.send(new DatagramPacket(ping, ping.length, to));
                    DatagramPacket reply = new DatagramPacket(pong, pong.length);
                    do {
                        client.receive(reply);
                    } while (pong[0] != (byte) i); // a late reply to an earlier ping: not this one
                    ms[i] = (System.nanoTime() - start) / 1e6;
                }
                Arrays.sort(ms);
                out.accept(String.format(Locale.ROOT, "RESULT %s_baseline_udp_echo %s ms (median of %d round trips of 1 KiB "
                        + "datagrams%s; smallest %s ms)", label, TransportBenchmark.format(TransportBenchmark.percentile(ms, 0.5)),
                        PINGS, relay == null ? ", no relay" : " through the relay", TransportBenchmark.format(ms[0])));
            } finally {
                if (relay != null) {
                    relay.close();
                }
            }
        } catch (SocketTimeoutException e) {
            out.accept("RESULT " + label + "_baseline_udp_echo none ms (a datagram was lost: " + e.getMessage() + ")");
        } catch (IOException e) {
            out.accept("RESULT " + label + "_baseline_udp_echo none ms (" + e + ")");
        }
    }

    private static void echo(DatagramSocket socket) {
        byte[] buffer = new byte[2 * KIB];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(p);
                socket.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
            } catch (IOException e) {
                return; // closed at the end of the baseline
            }
        }
    }
}
