package dev.pando.node;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A blocking view of a node's events, for scripts and tests: {@link Node#eventStream()}. It sees
 * every event emitted after it was opened, in order, through a bounded buffer of its own: if the
 * reader falls behind, the events that do not fit are replaced by one {@link NodeEvent.Lagged}.
 * Ends (an empty {@link #poll} result after what was buffered) when the node closes or
 * {@link #close()} is called. Thread-safe; one reader at a time is the intended use.
 */
public final class EventStream implements AutoCloseable, EventBus.Buffer {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final EventBus.LaggingQueue queue;
    private final Consumer<EventStream> onClose;
    private boolean ended;

    EventStream(int capacity, Consumer<EventStream> onClose) {
        this.queue = new EventBus.LaggingQueue(capacity);
        this.onClose = onClose;
    }

    @Override
    public void offer(NodeEvent event) {
        lock.lock();
        try {
            if (!ended) {
                queue.add(event);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void complete() {
        lock.lock();
        try {
            if (!ended) {
                queue.flushMissed();
                ended = true;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next event, waiting up to {@code timeout} for one.
     *
     * @return empty if none came in time, or if the stream has ended and everything buffered was read
     */
    public Optional<NodeEvent> poll(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                NodeEvent e = queue.poll();
                if (e != null) {
                    return Optional.of(e);
                }
                if (ended || nanos <= 0) {
                    return Optional.empty();
                }
                nanos = changed.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to {@code timeout} for the first event of type {@code type} that matches, skipping
     * (and dropping) others.
     */
    public <T extends NodeEvent> Optional<T> await(Class<T> type, java.util.function.Predicate<? super T> matches,
                                                   Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Optional<NodeEvent> e = poll(Duration.ofNanos(Math.max(0, left)));
            if (e.isEmpty()) {
                return Optional.empty();
            }
            if (type.isInstance(e.get()) && matches.test(type.cast(e.get()))) {
                return Optional.of(type.cast(e.get()));
            }
        }
    }

    /** True once the stream has ended and every buffered event was read. */
    public boolean isDone() {
        lock.lock();
        try {
            return ended && queue.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Stops receiving; buffered events can still be read. Idempotent. */
    @Override
    public void close() {
        complete();
        onClose.accept(this);
    }
}
