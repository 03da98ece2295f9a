package dev.pando.testkit.support;

import dev.pando.spi.Cancellable;
import dev.pando.spi.Scheduler;
import dev.pando.PublicKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.time.Instant;
import java.util.PriorityQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The time and threads of a {@link GossipSimulation}: a {@link ManualClock} whose scheduled tasks
 * this class tracks (so the simulation knows when the next one falls due), an executor that counts
 * its unfinished tasks, and counters of bytes written to and read from simulated streams and of
 * readers blocked waiting for bytes. The simulation is <em>quiet</em> when every executor task is
 * finished or blocked in a read and every byte written has been read: nothing more can happen
 * until the clock moves. That makes a discrete-event simulation out of real threads without any
 * sleep: run to quiet, advance the clock to the next due task, repeat.
 */
final class SimulationRuntime implements Scheduler, Executor, AutoCloseable {
    private final ManualClock clock = new ManualClock();
    private final SimulationThreads pool;
    private final Duration settleLimit;
    // guarded by this
    private final PriorityQueue<Due> due = new PriorityQueue<>();
    private long sequence;
    private long active;
    private long blockedReads;
    private long inFlightBytes;
    private final Map<List<PublicKey>, Long> inFlight = new HashMap<>();
    private RuntimeException failure;

    SimulationRuntime(Duration settleLimit) {
        this.settleLimit = settleLimit;
        // small stacks: a simulation of 1,000 nodes has thousands of readers, each blocked in one read
        this.pool = new SimulationThreads("pando-sim-", 256 * 1024);
    }

    ManualClock clock() {
        return clock;
    }

    @Override
    public long nanoTime() {
        return clock.nanoTime();
    }

    @Override
    public Instant now() {
        return clock.now();
    }

    @Override
    public Cancellable schedule(Runnable task, Duration delay) {
        Due d;
        synchronized (this) {
            d = new Due(NetworkClock.plus(clock.nanoTime(), delay), sequence++);
            due.add(d);
        }
        Cancellable c = clock.schedule(() -> {
            synchronized (SimulationRuntime.this) {
                d.done = true;
            }
            task.run();
        }, delay);
        return () -> {
            boolean cancelled = c.cancel();
            if (cancelled) {
                synchronized (SimulationRuntime.this) {
                    d.done = true;
                }
            }
            return cancelled;
        };
    }

    /** When the next scheduled task falls due, or {@link Long#MAX_VALUE} if none is scheduled. */
    synchronized long nextDue() {
        while (!due.isEmpty() && due.peek().done) {
            due.poll();
        }
        return due.isEmpty() ? Long.MAX_VALUE : due.peek().at;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            active++;
        }
        try {
            pool.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    synchronized (SimulationRuntime.this) {
                        if (failure == null) {
                            failure = e;
                        }
                    }
                } finally {
                    synchronized (SimulationRuntime.this) {
                        active--;
                        signalIfQuiet();
                    }
                }
            });
        } catch (RuntimeException e) {
            synchronized (this) {
                active--;
                signalIfQuiet();
            }
            throw e;
        }
    }

    /** Bytes handed to the network from one node to another, not read yet. */
    synchronized void written(PublicKey from, PublicKey to, long bytes) {
        inFlight.merge(List.of(from, to), bytes, Long::sum);
        inFlightBytes += bytes;
    }

    /** Bytes written that will never be read (their stream failed). */
    synchronized void discarded(PublicKey from, PublicKey to, long bytes) {
        consume(List.of(from, to), bytes);
        signalIfQuiet();
    }

    /** The connection between two nodes closed: what it still carried will never be read. */
    synchronized void closed(PublicKey a, PublicKey b) {
        consume(List.of(a, b), Long.MAX_VALUE);
        consume(List.of(b, a), Long.MAX_VALUE);
        signalIfQuiet();
    }

    private void consume(List<PublicKey> pair, long bytes) {
        Long have = inFlight.get(pair);
        if (have == null) {
            return;
        }
        long taken = Math.min(have, bytes);
        inFlightBytes -= taken;
        if (have - taken == 0) {
            inFlight.remove(pair);
        } else {
            inFlight.put(pair, have - taken);
        }
    }

    synchronized void readStarts() {
        blockedReads++;
        signalIfQuiet();
    }

    synchronized void readEnds(PublicKey from, PublicKey to, long bytes) {
        blockedReads--;
        if (bytes > 0) {
            consume(List.of(from, to), bytes);
        }
        signalIfQuiet();
    }

    /** Wakes {@link #awaitQuiet} only when what it waits for may hold (lock held). */
    private void signalIfQuiet() {
        if (active - blockedReads <= 0 && inFlightBytes <= 0) {
            notifyAll();
        }
    }

    /**
     * Waits until the simulation is quiet (see the class documentation).
     *
     * @throws IllegalStateException if it is not quiet within the settle limit of real time (a
     *     thread blocked elsewhere than in a simulated read, which the simulation cannot see)
     */
    synchronized void awaitQuiet() {
        long deadline = System.nanoTime() + settleLimit.toNanos();
        while (active - blockedReads > 0 || inFlightBytes > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("the simulation did not settle within " + settleLimit + ": " + (active - blockedReads)
                        + " tasks running, " + inFlightBytes + " bytes unread");
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the simulation to settle", e);
            }
        }
        if (failure != null) {
            RuntimeException f = failure;
            failure = null;
            throw new IllegalStateException("a task of the simulation failed", f);
        }
    }

    /**
     * Runs the simulation until {@code stop} holds (checked whenever it is quiet) or the clock
     * reaches {@code untilNanos}, moving the clock from one due task to the next.
     *
     * @return whether {@code stop} held
     */
    boolean runUntil(long untilNanos, java.util.function.BooleanSupplier stop) {
        while (true) {
            awaitQuiet();
            if (stop.getAsBoolean()) {
                return true;
            }
            long now = clock.nanoTime();
            long next = nextDue();
            if (next > untilNanos) {
                if (now < untilNanos) {
                    clock.advance(Duration.ofNanos(untilNanos - now));
                    awaitQuiet();
                }
                return stop.getAsBoolean();
            }
            clock.advance(Duration.ofNanos(Math.max(0, next - now)));
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    private static final class Due implements Comparable<Due> {
        final long at;
        final long sequence;
        boolean done;

        Due(long at, long sequence) {
            this.at = at;
            this.sequence = sequence;
        }

        @Override
        public int compareTo(Due o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }
}
