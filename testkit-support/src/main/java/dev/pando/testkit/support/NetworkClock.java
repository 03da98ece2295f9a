package dev.pando.testkit.support;

import dev.pando.spi.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;

/**
 * The time source of a {@link MemoryNetwork}: latency, bandwidth, retransmission delays and stream
 * deadlines are all measured on it. {@link #system()} follows {@link System#nanoTime()};
 * {@link ManualClock} only moves when a test advances it, which makes timing deterministic.
 *
 * <p>Only the testkit implements this class: waiting on a clock needs cooperation from the network.
 * It is a {@link Clock}, so the same object can be handed to providers (a {@link ManualClock} is
 * also a {@link dev.pando.spi.Scheduler}).
 */
public abstract class NetworkClock implements Clock {
    private static final NetworkClock SYSTEM = new SystemClock();

    NetworkClock() {
    }

    /** The real clock: {@link System#nanoTime()}. */
    public static NetworkClock system() {
        return SYSTEM;
    }

    /** The current time in nanoseconds; only differences between two values are meaningful. */
    @Override
    public abstract long nanoTime();

    /** The time elapsed since {@code startNanos}, a value returned by {@link #nanoTime()}. */
    public final Duration since(long startNanos) {
        return Duration.ofNanos(nanoTime() - startNanos);
    }

    /**
     * Waits on {@code condition} (whose lock the caller holds) until it is signalled or, as far as
     * this clock can tell, {@code untilNanos} has passed. May return early; callers re-check.
     */
    abstract void await(Condition condition, long untilNanos) throws InterruptedException;

    /** Registers a callback run after every change of time not driven by the system (manual clocks). */
    abstract void onAdvance(Runnable listener);

    /** Removes a callback registered with {@link #onAdvance}. */
    abstract void removeOnAdvance(Runnable listener);

    /** Adds a duration to a time, saturating instead of overflowing (for "no deadline"). */
    static long plus(long nanos, Duration d) {
        long add;
        try {
            add = d.toNanos();
        } catch (ArithmeticException e) {
            add = Long.MAX_VALUE;
        }
        long r = nanos + add;
        return ((nanos ^ r) & (add ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static final class SystemClock extends NetworkClock {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        void await(Condition condition, long untilNanos) throws InterruptedException {
            long wait = untilNanos - System.nanoTime();
            if (wait > 0) {
                // cap each wait so that a saturated "no deadline" value cannot overflow inside the JDK
                condition.await(Math.min(wait, TimeUnit.SECONDS.toNanos(60)), TimeUnit.NANOSECONDS);
            }
        }

        @Override
        void onAdvance(Runnable listener) {
            // the system clock advances by itself; waiters use timed waits instead
        }

        @Override
        void removeOnAdvance(Runnable listener) {
        }

        @Override
        public String toString() {
            return "NetworkClock.system()";
        }
    }
}
