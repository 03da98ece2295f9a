package dev.pando.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.IterationResultMetaData;
import org.openjdk.jmh.results.Result;

/** The profiler counts the CPU time of threads named like JMH workers, per operation. */
class CpuTimeProfilerTest {

    @Test
    void reportsTheWorkersCpuTimePerOperation() throws Exception {
        CpuTimeProfiler profiler = new CpuTimeProfiler();
        profiler.beforeIteration(null, null);
        Thread worker = startSpinningWorker();
        try {
            List<? extends Result> results = List.copyOf(profiler.afterIteration(null, null, iteration(1_000)));
            assertThat(results).singleElement().satisfies(r -> {
                assertThat(r.getLabel()).isEqualTo(CpuTimeProfiler.LABEL);
                assertThat(r.getScoreUnit()).isEqualTo("ns/op");
                assertThat(r.getScore()).isPositive();
            });
        } finally {
            worker.interrupt();
            worker.join();
        }
    }

    @Test
    void reportsNothingForAnIterationWithoutOperations() {
        CpuTimeProfiler profiler = new CpuTimeProfiler();
        profiler.beforeIteration(null, null);
        assertThat(profiler.afterIteration(null, null, iteration(0))).isEmpty();
    }

    /** A thread named like a JMH worker that keeps hashing until interrupted; returns once it has worked. */
    private static Thread startSpinningWorker() throws InterruptedException {
        CountDownLatch spun = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            OperationFixture f = new OperationFixture();
            for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                dev.pando.Hash.of(f.headerBytes);
                if (i == 2_000) {
                    spun.countDown();
                }
            }
        }, "spin-jmh-worker-2");
        t.start();
        spun.await();
        return t;
    }

    private static IterationResult iteration(long ops) {
        return new IterationResult(null, null, new IterationResultMetaData(ops, ops));
    }
}
