package dev.pando.testkit.support;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

/**
 * The threads of a {@link GossipSimulation}: as many as there are tasks at once (a simulated node's
 * link reader blocks in a read for as long as the link lives, so a simulation of 1,000 nodes has
 * thousands), and an idle thread is handed its next task directly.
 *
 * <p>Why not {@code Executors.newCachedThreadPool()}: its idle threads wait in a
 * {@code SynchronousQueue}, and with thousands of them each handoff and each idle timeout walks
 * that queue. A profile of a 300-node simulation showed a third of its CPU samples there, and
 * most of its system time in the parking around it. Here idle threads wait on a stack (the most
 * recently idle, whose stack is warm, goes first) and are woken with one {@code unpark}; at most
 * {@link #MAX_IDLE} wait, the others end.
 */
final class SimulationThreads implements Executor, AutoCloseable {
    /**
     * Idle threads kept; more end. Every parked thread lengthens the kernel's futex hash chains
     * that each wake-up walks: a 1,000-node simulation left ~8,000 idle threads after its joins,
     * and half of its CPU time went to {@code futex_wake}.
     */
    private static final int MAX_IDLE = 64;
    private final String prefix;
    private final long stackSize;
    // guarded by this
    private final ArrayDeque<Worker> idle = new ArrayDeque<>();
    private final Set<Thread> all = new HashSet<>();
    private int made;
    private boolean closed;

    SimulationThreads(String prefix, long stackSize) {
        this.prefix = prefix;
        this.stackSize = stackSize;
    }

    /**
     * Runs {@code task} on an idle thread, or on a new one if none is idle. The task must catch
     * what it throws: a thread whose task fails ends.
     *
     * @throws RejectedExecutionException after {@link #close()}
     */
    @Override
    public void execute(Runnable task) {
        Worker w;
        synchronized (this) {
            if (closed) {
                throw new RejectedExecutionException("the simulation's threads are closed");
            }
            w = idle.pollLast();
            if (w != null) {
                w.next = task;
            } else {
                w = new Worker(task);
                Thread t = new Thread(null, w, prefix + ++made, stackSize);
                t.setDaemon(true);
                w.thread = t;
                all.add(t);
            }
        }
        if (w.thread.getState() == Thread.State.NEW) {
            w.thread.start();
        } else {
            LockSupport.unpark(w.thread);
        }
    }

    /** Stops taking tasks, ends idle threads and interrupts running ones (blocked reads end). */
    @Override
    public void close() {
        List<Thread> threads;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            idle.clear();
            threads = List.copyOf(all);
        }
        for (Thread t : threads) {
            t.interrupt();
            LockSupport.unpark(t);
        }
    }

    private final class Worker implements Runnable {
        Thread thread;
        // guarded by SimulationThreads.this
        Runnable next;

        Worker(Runnable first) {
            this.next = first;
        }

        @Override
        public void run() {
            Runnable task = take();
            while (task != null) {
                task.run();
                synchronized (SimulationThreads.this) {
                    if (closed || idle.size() >= MAX_IDLE) {
                        all.remove(thread);
                        return;
                    }
                    idle.addLast(this);
                }
                task = awaitNext();
            }
        }

        private Runnable take() {
            synchronized (SimulationThreads.this) {
                Runnable t = next;
                next = null;
                return t;
            }
        }

        /** Parks until handed a task (null once closed); an interrupt or a spurious wake re-checks. */
        private Runnable awaitNext() {
            while (true) {
                synchronized (SimulationThreads.this) {
                    if (next != null) {
                        Runnable t = next;
                        next = null;
                        return t;
                    }
                    if (closed) {
                        return null;
                    }
                }
                Thread.interrupted(); // an interrupt meant for the last task must not spin this loop
                LockSupport.park(this);
            }
        }
    }
}
