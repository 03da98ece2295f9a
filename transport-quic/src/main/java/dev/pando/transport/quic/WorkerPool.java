package dev.pando.transport.quic;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The transport's blocking workers: an idle thread is reused before a new one is started, the
 * pool grows to {@code maxThreads} before tasks queue, the queue is bounded, idle threads end
 * after {@code keepAlive}.
 *
 * <p>Why not a plain {@link ThreadPoolExecutor}: with core = max it starts a new thread for each
 * of the first {@code max} tasks even while others sit idle (measured: a fresh transport serving
 * 200 sequential streams started 64 threads on each side, most of the benchmark's per-stream
 * cost), and with a small core it queues tasks behind blocked workers instead of growing, which
 * deadlocks blocking kwik calls. The queue below refuses a task (so the pool starts a thread)
 * only when every thread is busy.
 */
final class WorkerPool extends ThreadPoolExecutor {
    /** Tasks handed to {@link #execute} and not yet finished. */
    private final AtomicInteger inFlight = new AtomicInteger();

    WorkerPool(int maxThreads, int maxQueued, long keepAliveSeconds, ThreadFactory threads) {
        super(0, maxThreads, keepAliveSeconds, TimeUnit.SECONDS, new GrowFirstQueue(maxQueued), threads);
        ((GrowFirstQueue) getQueue()).pool = this;
    }

    @Override
    public void execute(Runnable task) {
        inFlight.incrementAndGet();
        try {
            super.execute(task);
        } catch (RejectedExecutionException e) {
            // the queue refused so that a thread would start, but another task took the last
            // slot of the pool first: queue it after all, unless the pool is shut down or the
            // queue is full
            if (isShutdown() || !((GrowFirstQueue) getQueue()).force(task)) {
                inFlight.decrementAndGet();
                throw e;
            }
        } catch (RuntimeException | Error e) {
            inFlight.decrementAndGet();
            throw e;
        }
    }

    @Override
    protected void afterExecute(Runnable task, Throwable failure) {
        inFlight.decrementAndGet();
    }

    /**
     * Queues a task only if a thread is free to take it or the pool is at its maximum; otherwise
     * refuses, and {@link ThreadPoolExecutor#execute} starts a thread for it.
     */
    private static final class GrowFirstQueue extends LinkedBlockingQueue<Runnable> {
        private volatile WorkerPool pool;

        GrowFirstQueue(int capacity) {
            super(capacity);
        }

        @Override
        public boolean offer(Runnable task) {
            WorkerPool p = pool;
            int threads = p.getPoolSize();
            // inFlight counts this task too: it fits if there are at least as many threads
            if (p.inFlight.get() <= threads || threads >= p.getMaximumPoolSize()) {
                return super.offer(task);
            }
            return false;
        }

        boolean force(Runnable task) {
            return super.offer(task);
        }
    }
}
