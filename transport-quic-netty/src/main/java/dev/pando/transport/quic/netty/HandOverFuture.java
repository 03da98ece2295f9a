package dev.pando.transport.quic.netty;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A future handed to callers whose outcome is produced on an event loop. The event loop never
 * completes it (that would run the caller's dependent actions on the event loop): it only hands
 * the outcome over ({@link #handOver}) and asks the callback thread to complete it. A thread
 * already blocked in {@code get} or {@code join} takes the handed-over outcome and completes the
 * future itself, so it wakes one thread hop earlier; dependent actions run on that thread or on the
 * callback thread, never on an event loop.
 */
final class HandOverFuture<T> extends CompletableFuture<T> {
    private final CountDownLatch arrived = new CountDownLatch(1);
    // written before arrived counts down, read after
    private volatile T value;
    private volatile Throwable failure;
    private volatile boolean handedOver;

    /** Records the outcome and wakes blocked getters; the caller still completes this future later. */
    void handOver(T result, Throwable error) {
        value = result;
        failure = error;
        handedOver = true;
        arrived.countDown();
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
            arrived.await();
            settle();
        }
        return super.get();
    }

    @Override
    public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (!isDone()) {
            if (!arrived.await(timeout, unit)) {
                throw new TimeoutException();
            }
            settle();
        }
        return super.get(timeout, unit);
    }

    @Override
    public T join() {
        if (!isDone()) {
            boolean interrupted = false;
            while (true) {
                try {
                    arrived.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // join is not interruptible: keep waiting, restore the flag after
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            settle();
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
