package dev.pando.store.sqlite;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the read pool's housekeeping threads and remembers them, so that closing the store can
 * wait until they have really ended: HikariCP stops its executors on close but does not wait for
 * their threads to exit.
 */
final class ReaderThreads implements ThreadFactory {
    /** Longest wait for the pool's threads on close; they only finish a housekeeping step. */
    private static final long EXIT_WAIT_MILLIS = 5_000;
    private static final AtomicInteger STORES = new AtomicInteger();

    private final String prefix = "pando-sqlite-readers-" + STORES.incrementAndGet() + "-";
    private final AtomicInteger count = new AtomicInteger();
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    @Override
    public Thread newThread(Runnable task) {
        Thread t = new Thread(task, prefix + count.incrementAndGet());
        t.setDaemon(true);
        threads.add(t);
        return t;
    }

    /** Waits, bounded, for every thread made here to end. Called after the pool was closed. */
    void awaitExit() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(EXIT_WAIT_MILLIS);
        for (Thread t : threads) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return;
            }
            try {
                t.join(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
