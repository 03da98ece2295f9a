package dev.pando.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How a long-running command ({@code net listen}, {@code node}, {@code relay}, {@code chat}) learns
 * to stop: the end of stdin, SIGINT/SIGTERM (a shutdown hook that stops the command, then holds the
 * JVM's exit until the command has printed its summary), or the command itself. The first reason
 * wins. Use: {@link #install}, run, {@link #await()}, print the summary, {@link #finish()} (in a
 * finally block).
 */
final class StopSignal {
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(20);

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicReference<String> reason = new AtomicReference<>();
    private final ShutdownHooks hooks;
    private final Thread hook;

    private StopSignal(ShutdownHooks hooks, String name) {
        this.hooks = hooks;
        this.hook = new Thread(() -> {
            stop("signal");
            await(done, SHUTDOWN_WAIT);
        }, "pando-" + name + "-shutdown");
    }

    /** A signal whose shutdown hook is registered with the command line's hooks. */
    static StopSignal install(Pando root, String name) {
        StopSignal s = new StopSignal(root.shutdownHooks(), name);
        root.shutdownHooks().add(s.hook);
        return s;
    }

    /** Stops the command for {@code why}, unless it was stopped already. */
    void stop(String why) {
        reason.compareAndSet(null, why);
        stop.countDown();
    }

    boolean stopped() {
        return stop.getCount() == 0;
    }

    /** Why it stopped ("stdin closed", "signal", or what the command said); null while it runs. */
    String reason() {
        return reason.get();
    }

    /**
     * A daemon thread that reads (and discards) {@code in} and stops at its end. An stdin that ends
     * before any input, as /dev/null does for a background job, prints {@code emptyHint} on
     * {@code err} (if both are given).
     */
    void watchStdin(InputStream in, PrintWriter err, String emptyHint, String name) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[1024];
            long read = 0;
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    read += n; // input is ignored; only its end matters
                }
            } catch (IOException e) {
                // a broken stdin ends it as well
            }
            boolean first = reason.compareAndSet(null, "stdin closed");
            if (first && read == 0 && err != null && emptyHint != null) {
                err.println(emptyHint);
                err.flush();
            }
            stop.countDown();
        }, "pando-" + name + "-stdin");
        t.setDaemon(true);
        t.start();
    }

    /** Waits until stopped, without giving up on an interrupt (it is kept for the caller). */
    void await() {
        boolean interrupted = false;
        while (true) {
            try {
                stop.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** @return true if stopped within {@code timeout} */
    boolean await(Duration timeout) {
        return await(stop, timeout);
    }

    /** The summary is out: lets a signalled JVM exit, and unregisters the hook. Call once, last. */
    void finish() {
        done.countDown();
        try {
            hooks.remove(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs: it returns now that done is counted down
        }
    }

    private static boolean await(CountDownLatch latch, Duration timeout) {
        try {
            return latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}
