package dev.pando.transport.quic;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.PandoException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link KwikTransport}'s threads: a bounded worker pool ("pando-quic-worker-N") on which all
 * blocking kwik calls run, with deadlines from one timer thread ("pando-quic-timer-1"), which
 * also runs the {@link Deadlines} sweep of blocking stream calls. Futures handed to callers
 * complete on a worker, or on the timer when a deadline expires.
 *
 * <p>Threads and locks: {@link #start} runs under the transport's lock in {@code start()},
 * {@link #shutDown} on the thread calling {@code close()} (or a failed {@code start()}); the rest
 * from any thread. It takes no lock; its fields are set once in {@link #start}.
 */
final class Tasks {
    private static final Logger LOG = LoggerFactory.getLogger(KwikTransport.class);
    private static final int MAX_WORKERS = 64;
    private static final int MAX_QUEUED_TASKS = 4096;

    private ThreadPoolExecutor workers;
    private ScheduledThreadPoolExecutor timer;
    private Deadlines deadlines;

    /** Creates the worker pool, the timer and the deadline sweep, which checks with {@code checkDeadlines}. */
    void start(LongPredicate checkDeadlines) {
        // workers block (kwik has no async API): reuse an idle one, else grow to MAX_WORKERS
        // before queueing, and let idle ones go so a quiet node keeps no threads
        workers = new WorkerPool(MAX_WORKERS, MAX_QUEUED_TASKS, 10, threads("pando-quic-worker-"));
        timer = new ScheduledThreadPoolExecutor(1, threads("pando-quic-timer-"));
        timer.setRemoveOnCancelPolicy(true);
        deadlines = new Deadlines(timer, checkDeadlines);
    }

    Deadlines deadlines() {
        return deadlines;
    }

    /** The timer thread, for one-off and periodic tasks. */
    ScheduledThreadPoolExecutor timer() {
        return timer;
    }

    /** The worker pool, for dependent actions of futures. */
    Executor workers() {
        return workers;
    }

    boolean execute(Runnable task) {
        try {
            workers.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * Runs a blocking task on a worker with a deadline. On expiry the task is interrupted (kwik's
     * waits for stream credit and for the handshake are interruptible) and anything it still
     * produces is handed to {@code discard}.
     */
    <T> CompletableFuture<T> call(String what, Callable<T> task, Duration deadline, Consumer<T> discard) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Future<?> running;
        try {
            running = workers.submit(() -> {
                try {
                    T value = task.call();
                    if (!result.complete(value)) {
                        discard.accept(value);
                    }
                } catch (Throwable t) {
                    result.completeExceptionally(translate(what, t));
                }
            });
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new ConnectionClosedException("transport closed or overloaded: " + what));
        }
        try {
            var expiry = timer.schedule(() -> {
                if (result.completeExceptionally(new DeadlineExceededException(what + " did not complete within " + deadline.toMillis() + " ms"))) {
                    running.cancel(true);
                }
            }, deadline.toNanos(), TimeUnit.NANOSECONDS);
            result.whenComplete((v, e) -> expiry.cancel(false));
        } catch (RejectedExecutionException e) {
            running.cancel(true);
            result.completeExceptionally(new ConnectionClosedException("transport closed: " + what));
        }
        return result;
    }

    private static Throwable translate(String what, Throwable t) {
        if (t instanceof CompletionException || t instanceof ExecutionException) {
            t = t.getCause();
        }
        if (t instanceof PandoException || t instanceof Error) {
            return t;
        }
        if (t instanceof InterruptedException) {
            return new DeadlineExceededException(what + " was interrupted");
        }
        return new ConnectionClosedException(what + " failed: " + t, t);
    }

    /** Stops the timer and the workers (interrupting them) and waits up to 5 s for the workers. */
    void shutDown() {
        if (timer != null) {
            timer.shutdownNow();
        }
        if (workers != null) {
            workers.shutdownNow();
            try {
                if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("quic transport workers still busy after close");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
