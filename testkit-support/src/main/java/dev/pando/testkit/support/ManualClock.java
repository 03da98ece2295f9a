package dev.pando.testkit.support;

import dev.pando.spi.Cancellable;
import dev.pando.spi.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;

/**
 * A clock that stands still until a test calls {@link #advance(Duration)}, and a
 * {@link Scheduler} whose tasks run only then: hand it to providers through
 * {@code NodeServices.system().withScheduler(clock)} and their timers, timeouts and periodic work
 * follow the test, deterministically. Threads blocked on a {@link MemoryNetwork} driven by this
 * clock (reads waiting for delayed data, writes waiting for window, deadlines) re-check their
 * condition after every step of time.
 *
 * <p>{@link #nanoTime()} starts at 0; {@link #now()} starts at the instant given to the
 * constructor (default {@link Instant#EPOCH}) and moves with it.
 *
 * <p><b>Scheduled tasks</b> run on the thread that calls {@link #advance}, in due-time order (tasks
 * due at the same time in the order they were scheduled), with the clock set to each task's due
 * time while it runs. A task scheduled while advancing, due within the advance, runs in the same
 * advance; {@code schedule(task, Duration.ZERO)} runs at the next advance (also
 * {@code advance(Duration.ZERO)}), never on the scheduling thread. A task that throws does not
 * stop the others: the advance finishes and then throws the first failure (later ones attached as
 * suppressed). A task that schedules itself again with zero delay makes an advance loop forever.
 *
 * <p>Thread-safe; one advance runs at a time.
 */
public final class ManualClock extends NetworkClock implements Scheduler {
    private final AtomicLong now = new AtomicLong();
    private final Instant start;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final Object advancing = new Object();
    // guarded by itself
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long sequence;

    /** A clock whose {@link #now()} starts at {@link Instant#EPOCH}. */
    public ManualClock() {
        this(Instant.EPOCH);
    }

    /** A clock whose {@link #now()} starts at {@code start}. */
    public ManualClock(Instant start) {
        this.start = Objects.requireNonNull(start, "start");
    }

    @Override
    public long nanoTime() {
        return now.get();
    }

    @Override
    public Instant now() {
        return start.plusNanos(now.get());
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must not be negative, got " + delay);
        }
        synchronized (tasks) {
            Task t = new Task(plus(now.get(), delay), sequence++, task);
            tasks.add(t);
            return t;
        }
    }

    /** Tasks scheduled and neither run nor cancelled yet. */
    public int pendingTasks() {
        synchronized (tasks) {
            return (int) tasks.stream().filter(t -> !t.cancelled).count();
        }
    }

    /**
     * Moves time forward by {@code duration}, running every task that falls due on the way (see the
     * class documentation), and wakes every waiter of the networks using this clock.
     *
     * @throws IllegalArgumentException if {@code duration} is negative
     * @throws RuntimeException the first exception a task threw, after all due tasks have run
     */
    public void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time cannot go backwards: " + duration);
        }
        List<RuntimeException> failures = new ArrayList<>();
        synchronized (advancing) {
            long target = plus(now.get(), duration);
            while (true) {
                Task next;
                synchronized (tasks) {
                    next = tasks.peek();
                    if (next == null || next.due > target) {
                        break;
                    }
                    tasks.poll();
                }
                if (!next.start()) {
                    continue; // cancelled
                }
                if (next.due > now.get()) {
                    now.set(next.due);
                    wakeListeners();
                }
                try {
                    next.task.run();
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
            now.set(target);
            wakeListeners();
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    private void wakeListeners() {
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

    private static final class Task implements Comparable<Task>, Cancellable {
        final long due;
        final long sequence;
        final Runnable task;
        // guarded by this
        boolean cancelled;
        boolean started;

        Task(long due, long sequence, Runnable task) {
            this.due = due;
            this.sequence = sequence;
            this.task = task;
        }

        @Override
        public synchronized boolean cancel() {
            if (cancelled || started) {
                return false;
            }
            cancelled = true;
            return true;
        }

        synchronized boolean start() {
            if (cancelled) {
                return false;
            }
            started = true;
            return true;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }
}
