package dev.pando.node;

import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.spi.RawOperation;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One reader of a topic's messages ({@link TopicSubscription#messages()}): first every operation of
 * the topic's logs that was stored when it was opened ({@link TopicMessage.Source#HISTORY}), then
 * every operation stored later, whatever its path — with no gap and no duplicate, in seq order per
 * log — and the ephemeral messages that arrive while it is open.
 *
 * <p><b>Memory.</b> Stored operations are read from the store page by page as the reader asks for
 * them, so a reader that falls behind costs a cursor per log, never a growing queue; it cannot
 * miss a stored operation. Ephemeral messages are held in a bounded queue
 * ({@value #EPHEMERAL_CAPACITY}); those that do not fit are dropped and counted
 * ({@link #ephemeralDropped()}).
 *
 * <p><b>Threads.</b> Thread-safe; {@link #poll} is meant for one reading thread at a time (calls
 * are serialised). Ends when the subscription or the node closes, or on {@link #close()}: then
 * {@link #poll} returns what is left and then empty at once.
 */
public final class MessageStream implements AutoCloseable {
    static final int EPHEMERAL_CAPACITY = 1024;
    private static final int PAGE = 128;

    private final TopicSubscription subscription;
    private final Map<LogKey, Long> historyTo;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Object reading = new Object();
    private final Map<LogKey, Long> delivered = new HashMap<>();
    private final LinkedHashSet<LogKey> dirty = new LinkedHashSet<>();
    private final ArrayDeque<TopicMessage> buffer = new ArrayDeque<>();
    private final ArrayDeque<TopicMessage.Ephemeral> ephemeral = new ArrayDeque<>();
    private long ephemeralDropped;
    private boolean ended;

    MessageStream(TopicSubscription subscription, Map<LogKey, Long> history) {
        this.subscription = subscription;
        this.historyTo = Map.copyOf(history);
        dirty.addAll(history.keySet());
    }

    /** New operations may have been stored in {@code log}. */
    void logChanged(LogKey log) {
        lock.lock();
        try {
            if (!ended) {
                dirty.add(log);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    void ephemeral(TopicMessage.Ephemeral message) {
        lock.lock();
        try {
            if (ended) {
                return;
            }
            if (ephemeral.size() >= EPHEMERAL_CAPACITY) {
                ephemeralDropped++;
            } else {
                ephemeral.add(message);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    void end() {
        lock.lock();
        try {
            ended = true;
            dirty.clear();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The next message, waiting up to {@code timeout} for one.
     *
     * @return empty if none came in time, or once the stream has ended
     * @throws dev.pando.StoreException if reading the store fails
     */
    public Optional<TopicMessage> poll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (reading) {
            while (true) {
                LogKey log;
                long from;
                lock.lock();
                try {
                    if (!ephemeral.isEmpty()) {
                        return Optional.of(ephemeral.poll());
                    }
                    if (!buffer.isEmpty()) {
                        return Optional.of(buffer.poll());
                    }
                    if (ended) {
                        return Optional.empty();
                    }
                    if (dirty.isEmpty()) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return Optional.empty();
                        }
                        changed.awaitNanos(left);
                        continue;
                    }
                    Iterator<LogKey> it = dirty.iterator();
                    log = it.next();
                    it.remove();
                    Long last = delivered.get(log);
                    from = last == null ? 0 : last + 1;
                } finally {
                    lock.unlock();
                }
                // read outside the lock: a notification meanwhile puts the log back in dirty
                List<RawOperation> page = subscription.node().readLog(log, from, PAGE);
                List<TopicMessage> messages = new ArrayList<>(page.size());
                for (RawOperation raw : page) {
                    messages.add(stored(log, raw));
                }
                lock.lock();
                try {
                    if (!page.isEmpty()) {
                        buffer.addAll(messages);
                        delivered.put(log, page.get(page.size() - 1).seqNum());
                    }
                    if (page.size() == PAGE) {
                        dirty.add(log);
                    }
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    private TopicMessage.Stored stored(LogKey log, RawOperation raw) {
        Operation op = Operation.decode(raw.header(), raw.body().orElse(null));
        Optional<Node.Origin> origin = subscription.node().origin(raw.id());
        if (origin.isPresent()) {
            return new TopicMessage.Stored(op, origin.get().source(), origin.get().peer());
        }
        Long history = historyTo.get(log);
        TopicMessage.Source source = history != null && raw.seqNum() <= history ? TopicMessage.Source.HISTORY
                : TopicMessage.Source.SYNC;
        return new TopicMessage.Stored(op, source, Optional.empty());
    }

    /** True once the stream has ended (closed, or its subscription or node closed) and everything buffered was read. */
    public boolean isEnded() {
        lock.lock();
        try {
            return ended && buffer.isEmpty() && ephemeral.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Ephemeral messages this reader did not take in time and that were dropped. */
    public long ephemeralDropped() {
        lock.lock();
        try {
            return ephemeralDropped;
        } finally {
            lock.unlock();
        }
    }

    /** Stops the stream; {@link #poll} returns what is buffered, then empty. Idempotent. */
    @Override
    public void close() {
        end();
        subscription.removeStream(this);
    }
}
