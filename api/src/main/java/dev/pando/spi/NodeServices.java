package dev.pando.spi;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * What the node lends every provider, through its context: its time and timers, threads for
 * blocking or CPU work, and the sink for the provider's events. With them a provider needs to
 * start no threads of its own for timers or background work, and a simulator can run a whole node
 * on a virtual clock ({@code ManualClock} in the testkit implements {@link Scheduler}).
 *
 * <p>The node owns these services and shuts them down after closing every provider; a provider
 * never shuts them down.
 *
 * @param scheduler time ({@link Clock}) and one-shot timers; tasks must not block
 * @param executor runs blocking or CPU-heavy work; tasks may block. It may run a task on a new or
 *     pooled thread, never on the submitting thread unless it was built that way for a test
 * @param events receives the provider's {@link ProviderEvent}s; see {@link EventSink} for the rules
 */
public record NodeServices(Scheduler scheduler, Executor executor, EventSink events) {
    public NodeServices {
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(events, "events");
    }

    /**
     * The defaults, for code that builds a context by hand (tests, tools): {@link Scheduler#system()},
     * a shared pool of daemon threads ("pando-executor-N", started on demand, ended after 60 s idle)
     * and {@link EventSink#discard()}. No thread starts until a service is first used.
     */
    public static NodeServices system() {
        return SystemServices.NODE_SERVICES;
    }

    /** The clock of {@link #scheduler()} (the same object). */
    public Clock clock() {
        return scheduler;
    }

    /** These services with another event sink. */
    public NodeServices withEvents(EventSink events) {
        return new NodeServices(scheduler, executor, events);
    }

    /** These services with another scheduler (and so another clock). */
    public NodeServices withScheduler(Scheduler scheduler) {
        return new NodeServices(scheduler, executor, events);
    }

    /** These services with another executor. */
    public NodeServices withExecutor(Executor executor) {
        return new NodeServices(scheduler, executor, events);
    }
}
