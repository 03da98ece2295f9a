package dev.pando.node;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in order, on an executor, holding at most {@code capacity} waiting:
 * a burst beyond that is refused ({@link #offer} returns false) rather than queued without bound
 * or given threads of its own. Thread-safe.
 */
final class SerialQueue {
    private static final Logger LOG = LoggerFactory.getLogger(SerialQueue.class);

    private final Executor executor;
    private final int capacity;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean draining;

    SerialQueue(Executor executor, int capacity) {
        this.executor = executor;
        this.capacity = capacity;
    }

    /** @return false if the queue is full or the executor refused to run it */
    boolean offer(Runnable task) {
        synchronized (this) {
            if (queue.size() >= capacity) {
                return false;
            }
            queue.add(task);
            if (draining) {
                return true;
            }
            draining = true;
        }
        try {
            executor.execute(this::drain);
            return true;
        } catch (RejectedExecutionException e) {
            synchronized (this) {
                draining = false;
                queue.clear();
            }
            return false;
        }
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    draining = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                LOG.warn("a queued task failed", e);
            }
        }
    }
}
