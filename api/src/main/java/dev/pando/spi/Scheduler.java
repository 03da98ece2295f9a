package dev.pando.spi;

import java.time.Duration;

/**
 * Runs short tasks after a delay measured on its own {@link Clock}. A scheduler <em>is</em> a clock
 * (it extends it), so a virtual clock and its timers can never disagree: with the testkit's
 * {@code ManualClock}, time only moves when a test advances it, and the tasks that fall due run in
 * due-time order on the thread that advances it, which makes timeouts and periodic work (gossip
 * rounds, resync, retry backoff) deterministic.
 *
 * <p><b>Threads.</b> A task runs on a thread of the scheduler (the system scheduler has one, the
 * manual clock uses the advancing thread). Tasks must be short and must not block: hand blocking
 * or CPU-heavy work to {@link NodeServices#executor()}. Tasks due at the same time run in the
 * order they were scheduled. A task that throws is logged or reported by the scheduler and does
 * not stop later tasks.
 *
 * <p>Thread-safe: {@link #schedule} may be called from any thread, also from a running task.
 */
public interface Scheduler extends Clock {

    /**
     * Runs {@code task} once, {@code delay} after now on this scheduler's clock ({@link Duration#ZERO}:
     * as soon as the scheduler gets to it, never on the calling thread).
     *
     * @return a handle whose {@link Cancellable#cancel()} keeps the task from running if it has not
     *     started yet
     * @throws IllegalArgumentException if {@code delay} is negative
     * @throws IllegalStateException if the scheduler was shut down (the system one never is)
     */
    Cancellable schedule(Runnable task, Duration delay);

    /**
     * The system scheduler: {@link Clock#system()} time and one daemon thread ("pando-scheduler")
     * shared by the whole JVM, started on first use and never stopped. A node may hand in its own.
     */
    static Scheduler system() {
        return SystemServices.scheduler();
    }
}
