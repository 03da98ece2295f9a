package dev.pando.spi;

import java.time.Instant;

/**
 * The node's time, handed to providers in their context (through {@link NodeServices}) so that
 * nothing reads the system clock behind the node's back: a simulator swaps in a virtual clock and
 * every timeout, backoff and timestamp follows it.
 *
 * <p>Both methods are cheap, thread-safe and never block. This is not {@link java.time.Clock}: it
 * adds the monotonic {@link #nanoTime()}, which is what timeouts must be measured with.
 */
public interface Clock {

    /**
     * Monotonic time in nanoseconds, for measuring durations and deadlines: only the difference
     * between two values is meaningful, and it never goes backwards.
     */
    long nanoTime();

    /** Wall-clock time, for timestamps that leave the node (operation timestamps, logs). */
    Instant now();

    /** The system's clocks: {@link System#nanoTime()} and {@link Instant#now()}. */
    static Clock system() {
        return SystemServices.CLOCK;
    }
}
