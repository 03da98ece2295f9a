package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.pando.ConnectionClosedException;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.Transport;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;

/**
 * Sustained load on a {@link Transport}, measured: each case runs {@link #runs()} times on fresh
 * transports, a watchdog calls a run <em>stalled</em> when no byte moved for {@link
 * #stallTimeout()} (it then closes the run's transports and moves on), and the case prints its
 * figures (runs, completed, stalled, failed, median time, throughput) on stdout and as JUnit
 * report entries. A case passes when every run completed intact; otherwise it fails with the
 * figures, which are the measurement a {@link #knownLimitations()} reason can cite.
 *
 * <p>Tagged {@code load}: the default build excludes it, {@code mvn -Pload verify} runs it
 * (README). Extend it next to your {@link TransportContract} subclass, with the same {@link
 * #createTransport}.
 */
@Tag("load")
public abstract class TransportLoadContract extends TransportFixture {

    /** The cases of this contract, for {@link #knownLimitations()}. */
    public enum LoadCase {
        /** 10,000 request/response round trips of 1 KiB on one stream. */
        REQUEST_RESPONSE,
        /** A 64 MiB upload whose SHA-256 the receiver checks. */
        BULK_TRANSFER,
        /** A 64 MiB writer halts (under half written) while nobody reads; then all arrives intact. */
        BACK_PRESSURE,
        /** 50 streams at once on one connection, 4 KiB echoed each. */
        CONCURRENT_STREAMS,
        /** Closing a transport with 4 busy echo streams fails them typed, is idempotent and leaves no thread. */
        CLOSE_WHILE_BUSY
    }

    /**
     * Cases this transport cannot pass, each with the measured reason (e.g. "stalled in 6 of 15
     * runs of 64 MiB on loopback"); such a case is aborted (reported as skipped) without running.
     * Empty by default: every case must pass.
     */
    protected Map<LoadCase, String> knownLimitations() {
        return Map.of();
    }

    /** Runs per case; default 3, or the system property {@code pando.load.runs}. */
    protected int runs() {
        return Integer.getInteger("pando.load.runs", 3);
    }

    /** How long no byte may move before a run counts as stalled: 10 s (a loopback round trip is far below 1 ms). */
    protected Duration stallTimeout() {
        return Duration.ofSeconds(10);
    }

    /** What one run did: units of work ({@code unit}: "MiB", "round trips", "streams" or none). */
    private record Work(double units, String unit) {
        static final Work NONE = new Work(0, "");
    }

    /** One run of a case; it adds every byte it moves to {@code moved}, which the watchdog watches. */
    @FunctionalInterface
    private interface LoadRun {
        Work run(AtomicLong moved) throws Exception;
    }

    /** The figures of one case. */
    record Figures(LoadCase loadCase, int runs, int completed, int stalled, int failed, List<Long> nanos, List<Work> work) {
        String line(String transport) {
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "LOAD %s %s: %d runs, %d completed, %d stalled, %d failed",
                    transport, loadCase, runs, completed, stalled, failed));
            if (!nanos.isEmpty()) {
                List<Long> sorted = nanos.stream().sorted().collect(Collectors.toList());
                double median = sorted.get(sorted.size() / 2) / 1e9;
                b.append(String.format(Locale.ROOT, "; median %.3f s (min %.3f s, max %.3f s)", median,
                        sorted.get(0) / 1e9, sorted.get(sorted.size() - 1) / 1e9));
                Work w = work.get(0);
                if (!w.unit().isEmpty()) {
                    b.append(String.format(Locale.ROOT, ", %.1f %s/s", w.units() / median, w.unit()));
                }
            }
            return b.toString();
        }
    }

    private void measure(LoadCase c, TestReporter reporter, LoadRun run) {
        KnownLimitations.abortIfListed(knownLimitations(), c);
        int runs = runs();
        List<Long> nanos = new ArrayList<>();
        List<Work> work = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        int stalled = 0;
        for (int i = 0; i < runs; i++) {
            AtomicLong moved = new AtomicLong();
            long start = System.nanoTime();
            Future<Work> f = pool.submit(() -> run.run(moved));
            long seen = -1;
            long lastMove = start;
            while (true) {
                try {
                    // a watchdog: wait for the run, checking a quarter of a second at a time that bytes still move
                    Work w = f.get(250, TimeUnit.MILLISECONDS);
                    nanos.add(System.nanoTime() - start);
                    work.add(w);
                    break;
                } catch (TimeoutException e) {
                    long now = moved.get();
                    if (now != seen) {
                        seen = now;
                        lastMove = System.nanoTime();
                    } else if (System.nanoTime() - lastMove > stallTimeout().toNanos()) {
                        stalled++;
                        closeTransports();
                        f.cancel(true);
                        break;
                    }
                } catch (ExecutionException e) {
                    failures.add(e.getCause());
                    break;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            closeTransports();
        }
        Figures figures = new Figures(c, runs, nanos.size(), stalled, failures.size(), nanos, work);
        String line = figures.line(getClass().getSimpleName());
        System.out.println(line);
        reporter.publishEntry("load." + c, line);
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError(line + "; first failure: " + failures.get(0), failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
        if (stalled > 0) {
            fail(line + ": stalled in " + stalled + " of " + runs + " runs (no byte moved for " + stallTimeout().toSeconds() + " s)");
        }
    }

    private void closeTransports() {
        for (Transport t : transports) {
            t.close();
        }
        transports.clear();
    }

    // ---- the contract ---------------------------------------------------------------------------

    @Test
    @Timeout(10)
    void knownLimitationsAreExplained() {
        KnownLimitations.assertExplained(knownLimitations());
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void requestResponseRoundTrips(TestReporter reporter) {
        measure(LoadCase.REQUEST_RESPONSE, reporter, moved -> {
            Peer server = startPeer();
            Peer client = startPeer();
            DuplexStream s = get(get(client.transport.dial(server.address(), ECHO)).openStream());
            int trips = 10_000;
            byte[] request = new byte[1024];
            byte[] response = new byte[1024];
            for (int i = 0; i < trips; i++) {
                ByteBuffer.wrap(request).putInt(0, i);
                s.write(request);
                s.flush();
                s.readFully(response, 0, response.length);
                moved.addAndGet(2L * request.length);
                if (ByteBuffer.wrap(response).getInt(0) != i) {
                    fail("round trip " + i + " got the answer to " + ByteBuffer.wrap(response).getInt(0));
                }
            }
            s.closeOutput();
            assertThat(s.read(response, 0, 1)).isEqualTo(-1);
            return new Work(trips, "round trips");
        });
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void sixtyFourMebibytesArriveIntact(TestReporter reporter) {
        measure(LoadCase.BULK_TRANSFER, reporter, moved -> {
            Peer server = startPeer();
            Peer client = startPeer();
            DuplexStream s = get(get(client.transport.dial(server.address(), DIGEST)).openStream());
            long total = 64L * 1024 * 1024;
            MessageDigest sent = sha256();
            byte[] chunk = new byte[64 * 1024];
            SplittableRandom r = new SplittableRandom(64);
            for (long done = 0; done < total; done += chunk.length) {
                fillRandom(chunk, r);
                sent.update(chunk);
                s.write(chunk);
                moved.addAndGet(chunk.length);
            }
            s.flush();
            s.closeOutput();
            byte[] answer = new byte[40];
            s.readFully(answer, 0, 40);
            assertThat(ByteBuffer.wrap(answer, 0, 8).getLong()).isEqualTo(total);
            assertThat(Arrays.copyOfRange(answer, 8, 40)).as("SHA-256 computed by the receiver").isEqualTo(sent.digest());
            return new Work(total / (1024.0 * 1024), "MiB");
        });
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void writerBlocksWhileTheReaderLags(TestReporter reporter) {
        measure(LoadCase.BACK_PRESSURE, reporter, moved -> {
            Peer server = startPeer();
            Peer client = startPeer();
            Connection c = get(client.transport.dial(server.address(), SINK));
            DuplexStream out = get(c.openStream());

            long total = 64L * 1024 * 1024;
            AtomicLong written = new AtomicLong();
            MessageDigest sent = sha256();
            Future<?> writer = pool.submit(() -> {
                byte[] chunk = new byte[16 * 1024];
                SplittableRandom r = new SplittableRandom(7);
                for (long done = 0; done < total; done += chunk.length) {
                    fillRandom(chunk, r);
                    sent.update(chunk);
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                    moved.addAndGet(chunk.length);
                }
                out.flush();
                out.closeOutput();
                return null;
            });
            // the sink reads nothing yet; the stream must reach the server as soon as data flows
            DuplexStream in = server.sinkStreams.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(in).as("the server accepted the stream").isNotNull();

            // the writer must come to a halt: the same count at two polls 250 ms apart
            AtomicLong lastSeen = new AtomicLong(-1);
            await().atMost(WAIT).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        long w = written.get();
                        return w > 0 && lastSeen.getAndSet(w) == w;
                    });
            assertThat(writer.isDone()).as("writer finished although nobody read").isFalse();
            assertThat(written.get()).as("bytes accepted by write() while the reader read nothing").isLessThan(total / 2);

            // now read: slowly at first, then at full speed
            MessageDigest received = sha256();
            byte[] buf = new byte[64 * 1024];
            long read = 0;
            for (int i = 0; i < 16; i++) {
                int n = in.read(buf, 0, 1024);
                assertThat(n).isPositive();
                received.update(buf, 0, n);
                read += n;
                moved.addAndGet(n);
            }
            assertThat(writer.isDone()).as("writer finished while the reader had read %d bytes", read).isFalse();
            int n;
            while ((n = in.read(buf, 0, buf.length)) >= 0) {
                received.update(buf, 0, n);
                read += n;
                moved.addAndGet(n);
            }
            get(writer);
            assertThat(read).isEqualTo(total);
            assertThat(received.digest()).isEqualTo(sent.digest());
            return new Work(total / (1024.0 * 1024), "MiB");
        });
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void manyConcurrentStreamsOnOneConnection(TestReporter reporter) {
        measure(LoadCase.CONCURRENT_STREAMS, reporter, moved -> {
            Peer server = startPeer();
            Peer client = startPeer();
            Connection c = get(client.transport.dial(server.address(), ECHO));

            int streams = 50;
            CountDownLatch go = new CountDownLatch(1);
            List<Future<byte[]>> results = new ArrayList<>();
            for (int i = 0; i < streams; i++) {
                byte[] payload = randomBytes(i, 4096 + i);
                results.add(pool.submit(() -> {
                    go.await();
                    DuplexStream s = get(c.openStream());
                    s.write(payload);
                    s.flush();
                    s.closeOutput();
                    byte[] back = readAll(s);
                    moved.addAndGet(payload.length + back.length);
                    return back;
                }));
            }
            go.countDown();
            for (int i = 0; i < streams; i++) {
                assertThat(get(results.get(i))).as("echo of stream %d", i).isEqualTo(randomBytes(i, 4096 + i));
            }
            assertThat(server.handlerCalls(ECHO)).isEqualTo(1);
            return new Work(streams, "streams");
        });
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void closingWhileBusyFailsEverythingTypedAndLeavesNoThread(TestReporter reporter) {
        measure(LoadCase.CLOSE_WHILE_BUSY, reporter, moved -> {
            Set<Thread> before = Thread.getAllStackTraces().keySet();
            Peer server = startPeer();
            Peer client = startPeer();
            Connection c = get(client.transport.dial(server.address(), ECHO));

            List<Future<?>> workers = new ArrayList<>();
            CountDownLatch flowing = new CountDownLatch(4);
            for (int i = 0; i < 4; i++) {
                DuplexStream s = get(c.openStream());
                s.timeout(Duration.ofSeconds(20));
                workers.add(pool.submit(() -> {
                    byte[] chunk = new byte[8 * 1024];
                    byte[] back = new byte[chunk.length];
                    boolean first = true;
                    while (true) {
                        s.write(chunk);
                        s.flush();
                        s.readFully(back, 0, back.length);
                        moved.addAndGet(2L * chunk.length);
                        if (first) {
                            flowing.countDown();
                            first = false;
                        }
                    }
                }));
            }
            assertThat(flowing.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("all streams transferring").isTrue();

            client.transport.close();
            client.transport.close(); // idempotent

            for (Future<?> w : workers) {
                assertThatThrownBy(() -> get(w)).isInstanceOf(ConnectionClosedException.class);
            }
            assertThat(c.isOpen()).isFalse();
            assertThatThrownBy(() -> get(client.transport.dial(server.address(), ECHO)))
                    .isInstanceOf(ConnectionClosedException.class);

            server.transport.close();
            moved.incrementAndGet(); // the check below waits for threads, not bytes
            await().atMost(WAIT).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.isAlive() && !before.contains(t) && isTransportThread(t))
                    .map(Thread::getName)
                    .collect(Collectors.toList()))
                    .as("threads left behind after close()")
                    .isEmpty());
            return Work.NONE;
        });
    }
}
