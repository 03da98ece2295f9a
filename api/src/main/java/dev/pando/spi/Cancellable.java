package dev.pando.spi;

/** A scheduled task that can still be called off. */
@FunctionalInterface
public interface Cancellable {

    /**
     * Keeps the task from running if it has not started yet; does not interrupt a running task.
     * Idempotent.
     *
     * @return true if this call prevented the task from running, false if it had already run,
     *     started, or been cancelled
     */
    boolean cancel();
}
