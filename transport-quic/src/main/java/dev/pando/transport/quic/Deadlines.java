package dev.pando.transport.quic;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongPredicate;

/**
 * One sweep on the transport's timer thread that enforces the deadlines of all blocking stream
 * calls, instead of a timer task scheduled and cancelled around every read and write. A call
 * records when it started (a volatile write) and calls {@link #running()}; the sweep runs every
 * {@link #TICK_NANOS} while any call is running and stops when none is, so an idle transport
 * does no periodic work. A deadline therefore fires up to one tick late.
 */
final class Deadlines {
    /** How often running calls are checked: the most a deadline can fire late. */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final ScheduledExecutorService timer;
    /** Checks every running call against its deadline at the given nanoTime; true while any runs. */
    private final LongPredicate check;
    private final AtomicBoolean sweeping = new AtomicBoolean();

    Deadlines(ScheduledExecutorService timer, LongPredicate check) {
        this.timer = timer;
        this.check = check;
    }

    /** A call has started and recorded its start time: make sure the sweep is on. */
    void running() {
        // the plain read keeps the common case (sweep already on) free of a CAS
        if (!sweeping.get() && sweeping.compareAndSet(false, true)) {
            schedule();
        }
    }

    private void schedule() {
        try {
            timer.schedule(this::sweep, TICK_NANOS, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // the transport is closed: its connections are closed and every blocked call woken
        }
    }

    private void sweep() {
        if (checkAll()) {
            schedule();
            return;
        }
        sweeping.set(false);
        // a call that started after the check saw sweeping still on and did not start a sweep;
        // this second look (after the volatile write above) catches it
        if (checkAll() && sweeping.compareAndSet(false, true)) {
            schedule();
        }
    }

    private boolean checkAll() {
        try {
            return check.test(System.nanoTime());
        } catch (RuntimeException e) {
            // never let one bad check end the sweep for every stream: look again next tick
            return true;
        }
    }
}
