package dev.pando.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
    private static final ThreadFactory DAEMONS = r -> {
        Thread t = new Thread(r, "worker-pool-test");
        t.setDaemon(true);
        return t;
    };

    private WorkerPool pool;

    @AfterEach
    void shutdown() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void sequentialTasksReuseOneIdleThread() throws Exception {
        pool = new WorkerPool(8, 16, 10, DAEMONS);
        Set<Thread> used = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 50; i++) {
            pool.submit(() -> used.add(Thread.currentThread())).get(10, TimeUnit.SECONDS);
            // the task's future completes inside run(); wait until the worker is idle again
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pool.getActiveCount() == 0);
        }
        assertThat(used).hasSize(1);
        assertThat(pool.getLargestPoolSize()).isEqualTo(1);
    }

    @Test
    void growsWhileAllAreBusyThenQueuesThenRefuses() throws Exception {
        pool = new WorkerPool(2, 1, 10, DAEMONS);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(2);
        Runnable blocking = () -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        Future<?> first = pool.submit(blocking);
        Future<?> second = pool.submit(blocking);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pool.getPoolSize()).isEqualTo(2);

        // both threads busy and the pool at its maximum: the next task waits in the queue
        Future<?> queued = pool.submit(() -> { });
        assertThat(pool.getQueue()).hasSize(1);
        assertThat(pool.getPoolSize()).isEqualTo(2);
        // and the queue is bounded
        assertThatThrownBy(() -> pool.submit(() -> { })).isInstanceOf(RejectedExecutionException.class);

        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        second.get(10, TimeUnit.SECONDS);
        queued.get(10, TimeUnit.SECONDS);
        assertThat(pool.getLargestPoolSize()).isEqualTo(2);
    }

    @Test
    void idleThreadsEnd() throws Exception {
        pool = new WorkerPool(4, 4, 1, DAEMONS);
        pool.submit(() -> { }).get(10, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> pool.getPoolSize() == 0);
    }
}
