package dev.pando.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A probe for quic-netty's open defect (transport-quic-netty README, "Known limits"): rounds of 50
 * concurrent 4 KiB echo streams on one connection, each half-closed by the client before it reads
 * the answer, on every stack named on the command line, interleaved round by round. A stream whose
 * answer does not arrive within 10 s counts as stalled. Arguments: {@code rounds stack…}, e.g.
 * {@code 60 raw-netty quic-netty tcp}. Run with both cores busy to see the stall.
 */
public final class HalfCloseStallProbe {
    private static final int STREAMS = 50;

    private HalfCloseStallProbe() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        ExecutorService workers = Executors.newCachedThreadPool(TransportBenchmark.daemons("probe-"));
        List<String> names = Arrays.asList(args).subList(1, args.length);
        int[] stalledRounds = new int[names.size()];
        int[] stalledStreams = new int[names.size()];
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < names.size(); k++) {
                int stalled = round(TransportBenchmark.stack(names.get(k), workers), workers);
                stalledStreams[k] += stalled;
                if (stalled > 0) {
                    stalledRounds[k]++;
                }
            }
        }
        for (int k = 0; k < names.size(); k++) {
            System.out.printf("RESULT halfclose_%s_stalled_rounds %d/%d rounds (%d of %d streams)%n", names.get(k).replace('-', '_'),
                    stalledRounds[k], rounds, stalledStreams[k], rounds * STREAMS);
        }
        System.exit(0);
    }

    /** One round on a fresh server and client; the number of streams whose answer did not come. */
    private static int round(TransportStack stack, ExecutorService workers) throws Exception {
        try (TransportStack.Server server = stack.startServer(); TransportStack.Client client = server.connect()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            List<TransportStack.Pipe> pipes = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < STREAMS; i++) {
                byte[] payload = new byte[4096 + i];
                Arrays.fill(payload, (byte) i);
                results.add(workers.submit(() -> {
                    go.await();
                    TransportStack.Pipe pipe = client.openStream();
                    pipes.add(pipe);
                    pipe.write(new byte[] {TransportStack.ECHO}, 0, 1);
                    pipe.write(payload, 0, payload.length);
                    pipe.flush();
                    pipe.closeOutput();
                    // read to end of stream: the answer's FIN is what goes missing
                    java.io.ByteArrayOutputStream back = new java.io.ByteArrayOutputStream();
                    byte[] buffer = new byte[8192];
                    int n;
                    while ((n = pipe.read(buffer, 0, buffer.length)) >= 0) {
                        back.write(buffer, 0, n);
                    }
                    return Arrays.equals(back.toByteArray(), payload);
                }));
            }
            go.countDown();
            int stalled = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (Future<Boolean> f : results) {
                try {
                    if (!f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        throw new IllegalStateException("wrong echo");
                    }
                } catch (TimeoutException e) {
                    stalled++;
                }
            }
            pipes.forEach(TransportStack.Pipe::close);
            return stalled;
        }
    }
}
