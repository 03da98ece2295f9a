package dev.pando.testkit.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Whatever the link conditions, window and read/write sizes, a stream delivers exactly the bytes
 * written, in order, then end of stream. Each seed draws its own conditions; virtual time on a
 * manual clock advances until the transfer is done.
 */
class MemoryStreamIntegrityTest {

    /** Waits until every unfinished party is blocked on the network (the next move is the clock's). */
    private static void awaitQuiescent(MemoryNetwork network, CompletableFuture<?>... parties) {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long active = java.util.Arrays.stream(parties).filter(f -> !f.isDone()).count();
            int waiting = network.waitingThreads();
            if (waiting >= active) {
                return;
            }
            if (System.nanoTime() > giveUp) {
                throw new AssertionError(active + " threads neither blocked nor done after 10 s");
            }
            LockSupport.parkNanos(20_000);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    @Timeout(60)
    void everyByteArrivesInOrder(long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        MemoryLinkConditions conditions = MemoryLinkConditions.PERFECT
                .withLatency(Duration.ofMillis(r.nextInt(0, 30)))
                .withBandwidth(r.nextBoolean() ? 0 : r.nextLong(50_000, 5_000_000))
                .withLoss(r.nextInt(3) == 0 ? 0.0 : r.nextDouble(0.0, 0.5))
                .withRetransmissionDelay(Duration.ofMillis(r.nextInt(1, 50)));
        int window = r.nextInt(10_000, 200_000);
        ManualClock clock = new ManualClock();
        MemoryNetwork network = MemoryNetwork.builder().clock(clock).seed(seed).conditions(conditions).build();
        ProviderOptions options = ProviderOptions.of("stream_window", Integer.toString(window), "stream_timeout", "60m");
        BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        Transport server = network.transport(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT, options));
        Transport client = network.transport(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT, options));
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            server.accept("pando/test/1", accepted::add);
            server.start();
            client.start();
            DuplexStream out = client.dial(server.localAddress(), "pando/test/1").get(5, TimeUnit.SECONDS)
                    .openStream().get(5, TimeUnit.SECONDS);
            DuplexStream in = accepted.poll(5, TimeUnit.SECONDS).acceptStream().get(5, TimeUnit.SECONDS);

            byte[] data = new byte[r.nextInt(1, 200_000)];
            r.nextBytes(data);
            long writerSeed = r.nextLong();
            long readerSeed = r.nextLong();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                SplittableRandom w = new SplittableRandom(writerSeed);
                int pos = 0;
                while (pos < data.length) {
                    int n = Math.min(data.length - pos, w.nextInt(1, 70_000));
                    out.write(data, pos, n);
                    pos += n;
                }
                out.closeOutput();
            }, threads);
            CompletableFuture<byte[]> reader = CompletableFuture.supplyAsync(() -> {
                SplittableRandom rr = new SplittableRandom(readerSeed);
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                byte[] buf = new byte[50_000];
                int n;
                while ((n = in.read(buf, 0, rr.nextInt(1, buf.length))) >= 0) {
                    got.write(buf, 0, n);
                }
                return got.toByteArray();
            }, threads);

            // time moves only once both threads wait for it, so they never fall behind the clock;
            // bounded: at 50 kB/s with heavy loss, 200 kB need far less than 100 s of virtual time
            for (int step = 0; step < 20_000 && !reader.isDone(); step++) {
                awaitQuiescent(network, writer, reader);
                clock.advance(Duration.ofMillis(5));
            }
            assertThat(reader.get(10, TimeUnit.SECONDS)).isEqualTo(data);
            writer.get(10, TimeUnit.SECONDS);
        } finally {
            client.close();
            server.close();
            threads.shutdownNow();
        }
    }
}
