package dev.pando.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SerialQueueTest {
    @Test
    void runsInOrderOneAtATimeAndRefusesBeyondItsCapacity() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            SerialQueue q = new SerialQueue(pool, 3);
            CountDownLatch gate = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            List<Integer> ran = new ArrayList<>();
            assertThat(q.offer(() -> {
                started.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            })).isTrue();
            assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
            // the first task runs: three more fit, the fourth does not
            CountDownLatch done = new CountDownLatch(3);
            for (int i = 0; i < 3; i++) {
                int n = i;
                assertThat(q.offer(() -> {
                    ran.add(n);
                    done.countDown();
                })).isTrue();
            }
            assertThat(q.offer(() -> ran.add(99))).isFalse();
            gate.countDown();
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(ran).containsExactly(0, 1, 2);
            // drained: it takes work again
            CountDownLatch again = new CountDownLatch(1);
            assertThat(q.offer(again::countDown)).isTrue();
            assertThat(again.await(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRefusingExecutorMakesOfferFalse() {
        SerialQueue q = new SerialQueue(r -> {
            throw new RejectedExecutionException("closed");
        }, 8);
        assertThat(q.offer(() -> { })).isFalse();
        assertThat(q.offer(() -> { })).isFalse();
    }
}
