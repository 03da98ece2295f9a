package dev.pando.transport.quic.netty;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The {@link QuicNettyTransport}'s callback thread ("pando-quic-netty-callbacks"): it completes
 * the futures handed to callers and runs accept handlers, so caller code never runs on (and never
 * stalls) an event loop; a caller already blocked in {@code get()} on a {@link HandOverFuture} is
 * handed the outcome directly instead.
 *
 * <p>Threads and locks: created by {@link #start} (under the transport's lock, in
 * {@code start()}), shut down by {@link #shutDown} (from {@code close()} or a failed start); used
 * from event loops, the callback thread itself and callers. It takes no lock; its fields are
 * volatile, set once in {@link #start}.
 */
final class Callbacks {
    private volatile ExecutorService callbacks;
    private volatile Thread callbackThread;

    void start() {
        DefaultThreadFactory callbackThreads = new DefaultThreadFactory("pando-quic-netty-callbacks", true);
        callbacks = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = callbackThreads.newThread(r);
            callbackThread = t;
            return t;
        });
    }

    /** Runs {@code task} on the callback thread, or right here once that has been shut down. */
    void run(Runnable task) {
        try {
            callbacks.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /**
     * Completes a future handed to callers on the callback thread, so that their dependent actions
     * never run on an event loop; a caller blocked on a {@link HandOverFuture} wakes right away and
     * completes it itself (then the callback thread is not woken).
     */
    <T> void complete(CompletableFuture<T> f, T value) {
        if (!(f instanceof HandOverFuture<T> h && h.handOver(value, null))) {
            run(() -> f.complete(value));
        }
    }

    <T> void fail(CompletableFuture<T> f, Throwable e) {
        if (!(f instanceof HandOverFuture<T> h && h.handOver(null, e))) {
            run(() -> f.completeExceptionally(e));
        }
    }

    /** Shuts the thread down and waits for it, unless called on it (the last step of releasing the transport). */
    void shutDown() {
        ExecutorService cb = callbacks;
        if (cb != null) {
            cb.shutdown();
            if (Thread.currentThread() == callbackThread) {
                // close() from an accept handler or a future's callback: the thread ends when it returns
                return;
            }
            try {
                if (!cb.awaitTermination(5, TimeUnit.SECONDS)) {
                    cb.shutdownNow();
                }
            } catch (InterruptedException e) {
                cb.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
