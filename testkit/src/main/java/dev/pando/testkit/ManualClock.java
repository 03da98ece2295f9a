package dev.pando.testkit;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;

/**
 * A {@link NetworkClock} that stands still until a test calls {@link #advance(Duration)}. Threads
 * blocked on a {@link MemoryNetwork} driven by this clock (reads waiting for delayed data, writes
 * waiting for window, deadlines) re-check their condition after every advance. Starts at 0.
 * Thread-safe.
 */
public final class ManualClock extends NetworkClock {
    private final AtomicLong now = new AtomicLong();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    @Override
    public long nanoTime() {
        return now.get();
    }

    /** Moves time forward and wakes every waiter of the networks using this clock. */
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time cannot go backwards: " + duration);
        }
        now.addAndGet(duration.toNanos());
        for (Runnable listener : listeners) {
            listener.run();
        }
    }

    /** The time elapsed since this clock was created. */
    public Duration elapsed() {
        return Duration.ofNanos(now.get());
    }

    @Override
    void await(Condition condition, long untilNanos) throws InterruptedException {
        if (untilNanos > now.get()) {
            // only an advance (or new data) can change anything: both signal the condition
            condition.await();
        }
    }

    @Override
    void onAdvance(Runnable listener) {
        listeners.add(listener);
    }

    @Override
    void removeOnAdvance(Runnable listener) {
        listeners.remove(listener);
    }

    @Override
    public String toString() {
        return "ManualClock[" + elapsed() + "]";
    }
}
