package dev.pando.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link NodeServices}: system time, one shared timer thread and a shared pool, each
 * created on first use (holder classes), so that a context built with the defaults starts nothing.
 */
final class SystemServices {
    private static final Logger LOG = LoggerFactory.getLogger(SystemServices.class);

    static final Clock CLOCK = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public String toString() {
            return "Clock.system()";
        }
    };

    static final EventSink DISCARD = new EventSink() {
        @Override
        public void emit(ProviderEvent event) {
        }

        @Override
        public String toString() {
            return "EventSink.discard()";
        }
    };

    static final NodeServices NODE_SERVICES = new NodeServices(new SystemScheduler(), new LazyExecutor(), DISCARD);

    private SystemServices() {
    }

    static Scheduler scheduler() {
        return NODE_SERVICES.scheduler();
    }

    private static final class TimerHolder {
        static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "pando-scheduler");
            t.setDaemon(true);
            return t;
        });

        static {
            TIMER.setRemoveOnCancelPolicy(true);
        }
    }

    private static final class PoolHolder {
        private static final AtomicInteger THREADS = new AtomicInteger();
        static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "pando-executor-" + THREADS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    private static final class SystemScheduler implements Scheduler {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant now() {
            return Instant.now();
        }

        @Override
        public Cancellable schedule(Runnable task, Duration delay) {
            Objects.requireNonNull(task, "task");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative, got " + delay);
            }
            long nanos;
            try {
                nanos = delay.toNanos();
            } catch (ArithmeticException e) {
                nanos = Long.MAX_VALUE;
            }
            ScheduledFuture<?> f = TimerHolder.TIMER.schedule(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    // one failing task must not take the shared timer thread's later tasks with it
                    LOG.warn("scheduled task {} failed", task, e);
                }
            }, nanos, TimeUnit.NANOSECONDS);
            return () -> f.cancel(false);
        }

        @Override
        public String toString() {
            return "Scheduler.system()";
        }
    }

    private static final class LazyExecutor implements Executor {
        @Override
        public void execute(Runnable command) {
            PoolHolder.POOL.execute(command);
        }

        @Override
        public String toString() {
            return "NodeServices.system().executor()";
        }
    }
}
