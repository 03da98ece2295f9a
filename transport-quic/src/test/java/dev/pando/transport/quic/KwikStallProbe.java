package dev.pando.transport.quic;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import tech.kwik.core.QuicClientConnection;
import tech.kwik.core.QuicStream;

/**
 * Reproduces kwik's stall on loopback with bounded runs: each run is a fresh echo server and
 * client doing {@code roundTrips} request/response exchanges; a run that makes no progress for
 * {@code deadlineMillis} counts as stalled and is torn down. Not a unit test (it measures a
 * third-party library): run it by hand, see the module README for the command and results.
 *
 * <p>Arguments: variant runs roundTrips size deadlineMillis. Variants: {@code rr} (one stream,
 * whole request then whole response), {@code chunked} (the request written in 256-byte pieces),
 * {@code stream-per-rt} (a fresh stream per exchange), {@code small-window} (16 KiB stream
 * windows), {@code initial-rtt} (client initial RTT 1 ms), {@code nudge} (every write followed by
 * a zero-byte write on both sides), {@code nudge-timer} (a zero-byte write on every
 * stream every 20 ms), {@code stream-per-rt-nudge} (a fresh stream per exchange, its
 * request followed by a zero-byte write before the FIN). A large {@code size} with few round
 * trips makes it a bulk echo.
 */
final class KwikStallProbe {

    private static final AtomicReference<QuicStream> clientStream = new AtomicReference<>();

    /** kwik internals at the moment of a stall (reflection: the probe runs on the class path). */
    private static String diagnose(Object connection, QuicStream stream) {
        if (stream == null) {
            return "no stream";
        }
        try {
            Object out = field(stream, "outputStream");
            Object in = field(stream, "inputStream");
            Object sender = field(connection, "sender");
            Object cc = field(sender, "congestionController");
            return "stream " + stream.getStreamId()
                    + ": send requests queued " + field(out, "sendRequestsQueued")
                    + ", unsent bytes buffered " + field(field(out, "sendBuffer"), "bufferedBytes")
                    + ", readable bytes " + ((java.io.InputStream) in).available()
                    + "; congestion window " + field(cc, "congestionWindow")
                    + ", bytes in flight " + field(cc, "bytesInFlight");
        } catch (Exception e) {
            return "diagnosis failed: " + e;
        }
    }

    private static Object field(Object o, String name) throws Exception {
        for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
            try {
                java.lang.reflect.Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(o);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(name);
    }

    private static void nudge(QuicStream s) {
        try {
            s.getOutputStream().write(new byte[0]);
        } catch (java.io.IOException e) {
            // closed or reset: nothing to nudge
        }
    }

    public static void main(String[] args) throws Exception {
        String variant = args[0];
        int runs = Integer.parseInt(args[1]);
        int roundTrips = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        long deadline = Long.parseLong(args[4]);
        RawKwik.Config config = switch (variant) {
            case "small-window" -> new RawKwik.Config(16 * 1024, 64 * 1024, 100, null, false);
            case "initial-rtt" -> new RawKwik.Config(1 << 20, 4 << 20, 100, 1, false);
            case "nudge" -> new RawKwik.Config(1 << 20, 4 << 20, 100, null, true);
            case "nudge-timer" -> RawKwik.Config.standard();
            case "stream-per-rt-nudge" -> new RawKwik.Config(1 << 20, 4 << 20, 100, null, true);
            default -> RawKwik.Config.standard();
        };
        int stalled = 0;
        long totalDone = 0;
        for (int run = 1; run <= runs; run++) {
            long started = System.nanoTime();
            AtomicLong progress = new AtomicLong();
            AtomicLong done = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            clientStream.set(null);
            try (RawKwik.Server server = new RawKwik.Server(config)) {
                QuicClientConnection client = RawKwik.connect(server.port, config);
                Thread worker = new Thread(() -> {
                    try {
                        exchange(variant, config, client, roundTrips, size, progress, done);
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                }, "probe-client");
                worker.start();
                java.util.concurrent.ScheduledExecutorService nudger = null;
                if (variant.equals("nudge-timer")) {
                    // every 20 ms, a zero-byte write on every open stream of both sides
                    nudger = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
                    nudger.scheduleAtFixedRate(() -> {
                        QuicStream c = clientStream.get();
                        if (c != null) {
                            nudge(c);
                        }
                        server.streams.forEach(KwikStallProbe::nudge);
                    }, 20, 20, java.util.concurrent.TimeUnit.MILLISECONDS);
                }
                long last = -1;
                long lastChange = System.nanoTime();
                boolean stall = false;
                while (worker.isAlive()) {
                    worker.join(100);
                    long p = progress.get();
                    if (p != last) {
                        last = p;
                        lastChange = System.nanoTime();
                    } else if ((System.nanoTime() - lastChange) / 1_000_000 > deadline) {
                        stall = true;
                        break;
                    }
                }
                if (stall && System.getProperty("probe.diagnose") != null) {
                    System.out.println("  client: " + client.getStats());
                    System.out.println("  client " + diagnose(client, clientStream.get()));
                    for (int i = 0; i < server.streams.size(); i++) {
                        System.out.println("  server: " + server.connections.get(0).getStats());
                        System.out.println("  server " + diagnose(server.connections.get(0), server.streams.get(i)));
                    }
                }
                if (nudger != null) {
                    nudger.shutdownNow();
                }
                client.close();
                worker.join(5_000);
                if (stall) {
                    stalled++;
                }
                totalDone += done.get();
                System.out.printf("%s run %d: %s after %d of %d exchanges, %.1f s%s%n", variant, run,
                        stall ? "STALLED" : failure.get() == null ? "completed" : "FAILED",
                        done.get(), roundTrips, (System.nanoTime() - started) / 1e9,
                        failure.get() == null || stall ? "" : " (" + failure.get() + ")");
            }
        }
        System.out.printf("RESULT %s: stalled in %d of %d runs (%d x %d B, %d ms no-progress deadline), %d exchanges completed%n",
                variant, stalled, runs, roundTrips, size, deadline, totalDone);
        System.exit(0);
    }

    private static void exchange(String variant, RawKwik.Config config, QuicClientConnection client, int roundTrips, int size,
            AtomicLong progress, AtomicLong done) throws Exception {
        byte[] request = new byte[size];
        byte[] response = new byte[size];
        if (variant.startsWith("stream-per-rt")) {
            for (int i = 0; i < roundTrips; i++) {
                QuicStream s = client.createStream(true);
                OutputStream out = s.getOutputStream();
                RawKwik.write(out, request, 0, size, config);
                out.close();
                readFully(s.getInputStream(), response, progress);
                if (s.getInputStream().read() != -1) {
                    throw new IllegalStateException("echo longer than request");
                }
                done.incrementAndGet();
            }
            return;
        }
        QuicStream s = client.createStream(true);
        clientStream.set(s);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        for (int i = 0; i < roundTrips; i++) {
            if (variant.equals("chunked")) {
                for (int off = 0; off < size; off += 256) {
                    RawKwik.write(out, request, off, Math.min(256, size - off), config);
                }
            } else {
                RawKwik.write(out, request, 0, size, config);
            }
            readFully(in, response, progress);
            done.incrementAndGet();
        }
        out.close();
    }

    private static void readFully(InputStream in, byte[] buf, AtomicLong progress) throws Exception {
        int off = 0;
        while (off < buf.length) {
            int n = in.read(buf, off, buf.length - off);
            if (n < 0) {
                throw new IllegalStateException("stream ended early");
            }
            off += n;
            progress.addAndGet(n);
        }
    }

    private KwikStallProbe() {}
}
