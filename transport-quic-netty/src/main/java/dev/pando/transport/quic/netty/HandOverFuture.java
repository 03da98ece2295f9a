package dev.pando.transport.quic.netty;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A future handed to callers whose outcome is produced on an event loop. The event loop never
 * completes it (that would run the caller's dependent actions on the event loop): it only hands
 * the outcome over ({@link #handOver}). A thread blocked in {@code get} or {@code join} takes the
 * handed-over outcome and completes the future itself, so it wakes one thread hop earlier and the
 * callback thread is not needed; otherwise the callback thread completes it. Dependent actions
 * run on one of those two threads, never on an event loop.
 *
 * <p>Who completes: {@code handOver} publishes the outcome and then counts blocked getters; a
 * getter leaves the count and then looks for an outcome. With both steps sequentially consistent,
 * either the hand-over sees no getter (and the callback thread completes) or a leaving getter sees
 * the outcome (and completes); sometimes both, which is harmless.
 */
final class HandOverFuture<T> extends CompletableFuture<T> {
    private final CountDownLatch arrived = new CountDownLatch(1);
    // written before arrived counts down, read after
    private volatile T value;
    private volatile Throwable failure;
    private volatile boolean handedOver;
    private final AtomicInteger getters = new AtomicInteger();

    /**
     * Records the outcome and wakes blocked getters.
     *
     * @return whether a blocked getter will complete this future; if not, the caller must have it
     *     completed off the event loop
     */
    boolean handOver(T result, Throwable error) {
        if (handedOver || isDone()) {
            return true; // already settled or arranged: the first outcome wins
        }
        value = result;
        failure = error;
        handedOver = true;
        boolean getterWaits = getters.get() > 0;
        arrived.countDown();
        return getterWaits;
    }

    /** Waits for an outcome; whichever way it leaves, completes this future if one was handed over. */
    private boolean await(long nanos) throws InterruptedException {
        getters.incrementAndGet();
        boolean arrivedInTime = false;
        try {
            arrivedInTime = nanos < 0 ? awaitForever() : arrived.await(nanos, TimeUnit.NANOSECONDS);
        } finally {
            getters.decrementAndGet();
            settle();
        }
        return arrivedInTime || handedOver;
    }

    private boolean awaitForever() throws InterruptedException {
        arrived.await();
        return true;
    }

    /** Completes from the handed-over outcome (no effect if already complete). */
    private void settle() {
        if (!handedOver) {
            return; // completed some other way (e.g. cancelled): super.get reports it
        }
        Throwable e = failure;
        if (e != null) {
            completeExceptionally(e);
        } else {
            complete(value);
        }
    }

    @Override
    public T get() throws InterruptedException, ExecutionException {
        if (!isDone()) {
            await(-1);
        }
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (!isDone() && !await(Math.max(0, unit.toNanos(timeout))) && !isDone()) {
            throw new TimeoutException();
        }
        return super.get(timeout, unit);
    }

    @Override
    public T join() {
        boolean interrupted = false;
        while (!isDone()) {
            try {
                await(-1);
            } catch (InterruptedException e) {
                interrupted = true; // join is not interruptible: keep waiting, restore the flag after
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return super.join();
    }

    // completions by any other path wake blocked getters too

    @Override
    public boolean complete(T result) {
        boolean done = super.complete(result);
        arrived.countDown();
        return done;
    }

    @Override
    public boolean completeExceptionally(Throwable error) {
        boolean done = super.completeExceptionally(error);
        arrived.countDown();
        return done;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean done = super.cancel(mayInterruptIfRunning);
        arrived.countDown();
        return done;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
        // dependents are plain futures: they are completed on the caller's or the callback thread
        return new CompletableFuture<>();
    }
}
