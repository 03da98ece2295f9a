package dev.pando.node;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's event bus. {@link #emit} never blocks and never fails: each subscriber has a bounded
 * buffer of its own; when it is full, further events are counted and replaced by one
 * {@link NodeEvent.Lagged} once there is room again. {@link #close()} completes every subscriber
 * after what is buffered for it.
 */
final class EventBus implements Flow.Publisher<NodeEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(EventBus.class);

    private final Executor executor;
    private final int bufferSize;
    private final CopyOnWriteArrayList<Buffer> buffers = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    EventBus(Executor executor, int bufferSize) {
        this.executor = Objects.requireNonNull(executor, "executor");
        if (bufferSize < 1) {
            throw new IllegalArgumentException("bufferSize must be positive, got " + bufferSize);
        }
        this.bufferSize = bufferSize;
    }

    void emit(NodeEvent event) {
        Objects.requireNonNull(event, "event");
        for (Buffer b : buffers) {
            b.offer(event);
        }
    }

    @Override
    public void subscribe(Flow.Subscriber<? super NodeEvent> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        PushBuffer b = new PushBuffer(subscriber);
        buffers.add(b);
        b.start();
        if (closed) {
            b.complete();
        }
    }

    EventStream stream() {
        EventStream s = new EventStream(bufferSize, buffers::remove);
        buffers.add(s);
        if (closed) {
            s.complete();
        }
        return s;
    }

    void close() {
        closed = true;
        for (Buffer b : buffers) {
            b.complete();
        }
    }

    /** One subscriber's side of the bus. */
    interface Buffer {
        void offer(NodeEvent event);

        void complete();
    }

    /** A bounded queue that turns overflow into one {@link NodeEvent.Lagged}. Guarded by its owner. */
    static final class LaggingQueue {
        private final ArrayDeque<NodeEvent> queue = new ArrayDeque<>();
        private final int capacity;
        private long missed;

        LaggingQueue(int capacity) {
            this.capacity = capacity;
        }

        void add(NodeEvent event) {
            if (missed > 0 && queue.size() < capacity) {
                queue.add(new NodeEvent.Lagged(missed));
                missed = 0;
            }
            if (missed == 0 && queue.size() < capacity) {
                queue.add(event);
            } else {
                missed++;
            }
        }

        /** Puts the pending Lagged in place (at the end): the stream is ending. */
        void flushMissed() {
            if (missed > 0) {
                queue.add(new NodeEvent.Lagged(missed));
                missed = 0;
            }
        }

        /** The next event; once the buffered ones are read, the Lagged for those missed since. */
        NodeEvent poll() {
            NodeEvent e = queue.poll();
            if (e == null && missed > 0) {
                e = new NodeEvent.Lagged(missed);
                missed = 0;
            }
            return e;
        }

        boolean isEmpty() {
            return queue.isEmpty() && missed == 0;
        }

        void clear() {
            queue.clear();
            missed = 0;
        }
    }

    /** Delivers to a {@link Flow.Subscriber} on the executor, one signal at a time, honouring demand. */
    private final class PushBuffer implements Buffer, Flow.Subscription {
        private final Flow.Subscriber<? super NodeEvent> subscriber;
        private final LaggingQueue queue = new LaggingQueue(bufferSize);
        private final AtomicInteger wip = new AtomicInteger();
        private long demand;
        private boolean completed;
        private boolean cancelled;
        private boolean subscribed;
        private boolean terminated;
        private Throwable demandError;

        PushBuffer(Flow.Subscriber<? super NodeEvent> subscriber) {
            this.subscriber = subscriber;
        }

        void start() {
            drain();
        }

        @Override
        public void offer(NodeEvent event) {
            synchronized (this) {
                if (cancelled || completed) {
                    return;
                }
                queue.add(event);
            }
            drain();
        }

        @Override
        public void complete() {
            synchronized (this) {
                if (completed) {
                    return;
                }
                completed = true;
                queue.flushMissed();
            }
            drain();
        }

        @Override
        public void request(long n) {
            synchronized (this) {
                if (n <= 0) {
                    demandError = new IllegalArgumentException("request must be positive (rule 3.9), got " + n);
                } else {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                }
            }
            drain();
        }

        @Override
        public void cancel() {
            synchronized (this) {
                cancelled = true;
                queue.clear();
            }
            buffers.remove(this);
        }

        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            try {
                executor.execute(this::run);
            } catch (RejectedExecutionException e) {
                // the node's executor is gone: deliver on this thread so the stream still ends
                run();
            }
        }

        private void run() {
            int missed = 1;
            while (true) {
                if (!subscribed) {
                    subscribed = true;
                    if (!call(() -> subscriber.onSubscribe(this))) {
                        return;
                    }
                }
                while (true) {
                    NodeEvent next;
                    boolean finish = false;
                    Throwable error;
                    synchronized (this) {
                        if (cancelled || terminated) {
                            break;
                        }
                        error = demandError;
                        next = demand > 0 ? queue.poll() : null;
                        if (next != null) {
                            demand--;
                        } else if (completed && queue.isEmpty()) {
                            finish = true;
                        }
                        if (error != null || finish) {
                            terminated = true;
                        }
                    }
                    if (error != null) {
                        buffers.remove(this);
                        call(() -> subscriber.onError(error));
                        break;
                    }
                    if (finish) {
                        buffers.remove(this);
                        call(subscriber::onComplete);
                        break;
                    }
                    if (next == null) {
                        break;
                    }
                    NodeEvent event = next;
                    if (!call(() -> subscriber.onNext(event))) {
                        break;
                    }
                }
                missed = wip.addAndGet(-missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        /** Runs a subscriber method; a subscriber that throws is cancelled (rule 2.13). */
        private boolean call(Runnable signal) {
            try {
                signal.run();
                return true;
            } catch (RuntimeException | Error e) {
                LOG.warn("an event subscriber threw; it is cancelled", e);
                cancel();
                return false;
            }
        }
    }
}
