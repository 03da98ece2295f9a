package dev.pando.transport.quic.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HandOverFutureTest {

    @Test
    void aBlockedGetterTakesTheHandedOverValueAndRunsDependentsOnItsOwnThread() throws Exception {
        HandOverFuture<String> f = new HandOverFuture<>();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        f.thenRun(() -> ranOn.set(Thread.currentThread()));
        CompletableFuture<String> got = new CompletableFuture<>();
        CountDownLatch started = new CountDownLatch(1);
        Thread getter = new Thread(() -> {
            started.countDown();
            try {
                got.complete(f.get(30, TimeUnit.SECONDS));
            } catch (Exception e) {
                got.completeExceptionally(e);
            }
        });
        getter.start();
        started.await();
        await().until(() -> getter.getState() == Thread.State.TIMED_WAITING);

        // what an event loop does: no completion on this thread, and no callback thread needed
        assertThat(f.handOver("stream", null)).as("a blocked getter completes it").isTrue();

        assertThat(got.get(30, TimeUnit.SECONDS)).isEqualTo("stream");
        getter.join();
        assertThat(f).isCompletedWithValue("stream");
        assertThat(ranOn.get()).isSameAs(getter);
    }

    @Test
    void handingOverAloneRunsNoDependentOnTheHandingThread() {
        HandOverFuture<String> f = new HandOverFuture<>();
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        f.whenComplete((v, e) -> ranOn.set(Thread.currentThread()));

        assertThat(f.handOver("x", null)).as("nobody waits: the callback thread must complete it").isFalse();

        assertThat(f).isNotDone();
        assertThat(ranOn.get()).isNull();
        f.complete("x"); // the callback thread's part
        assertThat(ranOn.get()).isSameAs(Thread.currentThread());
    }

    @Test
    void aHandedOverFailureReachesGetAndJoin() {
        HandOverFuture<String> f = new HandOverFuture<>();
        IllegalStateException boom = new IllegalStateException("boom");

        f.handOver(null, boom);

        assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class).hasCause(boom);
        assertThatThrownBy(f::join).hasCause(boom);
    }

    @Test
    void getTimesOutWithoutAnOutcomeAndCancellingWakesGetters() throws Exception {
        HandOverFuture<String> f = new HandOverFuture<>();
        assertThatThrownBy(() -> f.get(10, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);

        f.cancel(false);

        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).isInstanceOf(java.util.concurrent.CancellationException.class);
    }
}
