package dev.pando.transport.quic.core;

import dev.pando.spi.DuplexStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The incoming streams of one logical connection (one peer, one protocol) that no
 * {@code acceptStream()} caller has taken yet: a bounded queue, and the callers waiting for a
 * stream. Shared by the QUIC providers, which differ only in how the futures they hand out are
 * completed ({@link Completion}).
 *
 * <p>Thread-safe. Futures are completed outside the queue's lock, through the {@link Completion},
 * so a caller's dependent actions never run while the lock is held.
 *
 * @param <S> the provider's stream type
 */
public final class AcceptQueue<S extends DuplexStream> {

    /** How a provider makes and completes the futures it hands to callers. */
    public interface Completion {
        /** A new future for one {@code acceptStream()} call. */
        CompletableFuture<DuplexStream> newFuture();

        /** Completes {@code future} with {@code stream} (at once, or on the provider's callback thread). */
        void complete(CompletableFuture<DuplexStream> future, DuplexStream stream);

        /** Fails {@code future} with {@code error}. */
        void fail(CompletableFuture<DuplexStream> future, RuntimeException error);
    }

    /** Completes futures at once, on the calling thread. */
    public static final Completion DIRECT = new Completion() {
        @Override
        public CompletableFuture<DuplexStream> newFuture() {
            return new CompletableFuture<>();
        }

        @Override
        public void complete(CompletableFuture<DuplexStream> future, DuplexStream stream) {
            future.complete(stream);
        }

        @Override
        public void fail(CompletableFuture<DuplexStream> future, RuntimeException error) {
            future.completeExceptionally(error);
        }
    };

    private final int capacity;
    private final Completion completion;
    // guarded by this
    private final ArrayDeque<S> ready = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<DuplexStream>> waiting = new ArrayDeque<>();
    private boolean closed;

    /**
     * @param capacity   streams that may wait for a taker ({@code accept_queue}); beyond, {@link #offer} refuses
     * @param completion how futures are made and completed
     */
    public AcceptQueue(int capacity, Completion completion) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        this.capacity = capacity;
        this.completion = completion;
    }

    /**
     * The next incoming stream: a completed future if one waits, otherwise a future completed by
     * the next {@link #offer}, or failed by {@link #close}. A caller that cancels its future
     * leaves no trace in the queue.
     *
     * @param closedError the error of a future asked for after {@link #close}
     */
    public CompletableFuture<DuplexStream> take(Supplier<? extends RuntimeException> closedError) {
        CompletableFuture<DuplexStream> f;
        synchronized (this) {
            S s = ready.poll();
            if (s != null) {
                return CompletableFuture.completedFuture(s);
            }
            if (closed) {
                return CompletableFuture.failedFuture(closedError.get());
            }
            f = completion.newFuture();
            waiting.add(f);
        }
        f.whenComplete((s, e) -> {
            if (f.isCancelled()) {
                synchronized (this) {
                    waiting.remove(f);
                }
            }
        });
        return f;
    }

    /**
     * Hands an incoming stream to the longest-waiting caller, or queues it. Returns false, and
     * leaves the stream to the caller (who aborts it), when the queue is closed or full.
     */
    public boolean offer(S stream) {
        CompletableFuture<DuplexStream> taker = null;
        synchronized (this) {
            if (closed) {
                return false;
            }
            while (taker == null && !waiting.isEmpty()) {
                CompletableFuture<DuplexStream> w = waiting.poll();
                if (!w.isDone()) {
                    taker = w; // callers that gave up are skipped
                }
            }
            if (taker == null) {
                if (ready.size() >= capacity) {
                    return false;
                }
                ready.add(stream);
                return true;
            }
        }
        completion.complete(taker, stream);
        return true;
    }

    /** Streams waiting for a taker. */
    public synchronized int size() {
        return ready.size();
    }

    /**
     * Closes the queue: every waiting caller fails with {@code error}, later {@link #offer}s are
     * refused. Returns the streams that were waiting for a taker, for the caller to abort.
     * Idempotent (a second call returns nothing).
     */
    public List<S> close(RuntimeException error) {
        List<S> left;
        List<CompletableFuture<DuplexStream>> toFail;
        synchronized (this) {
            if (closed) {
                return List.of();
            }
            closed = true;
            left = new ArrayList<>(ready);
            ready.clear();
            toFail = new ArrayList<>(waiting);
            waiting.clear();
        }
        for (CompletableFuture<DuplexStream> f : toFail) {
            completion.fail(f, error);
        }
        return left;
    }
}
