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
 * windows), {@code initial-rtt} (client initial RTT 1 ms). A large {@code size} with few round
 * trips makes it a bulk echo.
 */
final class KwikStallProbe {

    public static void main(String[] args) throws Exception {
        String variant = args[0];
        int runs = Integer.parseInt(args[1]);
        int roundTrips = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        long deadline = Long.parseLong(args[4]);
        RawKwik.Config config = switch (variant) {
            case "small-window" -> new RawKwik.Config(16 * 1024, 64 * 1024, 100, null);
            case "initial-rtt" -> new RawKwik.Config(1 << 20, 4 << 20, 100, 1);
            default -> RawKwik.Config.standard();
        };
        int stalled = 0;
        long totalDone = 0;
        for (int run = 1; run <= runs; run++) {
            long started = System.nanoTime();
            AtomicLong progress = new AtomicLong();
            AtomicLong done = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try (RawKwik.Server server = new RawKwik.Server(config)) {
                QuicClientConnection client = RawKwik.connect(server.port, config);
                Thread worker = new Thread(() -> {
                    try {
                        exchange(variant, client, roundTrips, size, progress, done);
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                }, "probe-client");
                worker.start();
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

    private static void exchange(String variant, QuicClientConnection client, int roundTrips, int size,
            AtomicLong progress, AtomicLong done) throws Exception {
        byte[] request = new byte[size];
        byte[] response = new byte[size];
        if (variant.equals("stream-per-rt")) {
            for (int i = 0; i < roundTrips; i++) {
                QuicStream s = client.createStream(true);
                OutputStream out = s.getOutputStream();
                out.write(request);
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
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        for (int i = 0; i < roundTrips; i++) {
            if (variant.equals("chunked")) {
                for (int off = 0; off < size; off += 256) {
                    out.write(request, off, Math.min(256, size - off));
                }
            } else {
                out.write(request);
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
