package dev.pando.node;

import dev.pando.PublicKey;
import dev.pando.TopicId;
import dev.pando.spi.Cancellable;
import dev.pando.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;

/**
 * Decides when this node starts sync sessions (as initiator): at most one session per (peer,
 * topic) at a time — a request while one runs makes it run once more afterwards — at most
 * {@code maxConcurrent} sessions at once (the rest wait their turn, in request order), and a failed
 * session is retried with exponential backoff and jitter, up to {@code maxRetries} times in a row
 * (a later request starts again from the first delay). Thread-safe: one lock, held only for
 * bookkeeping.
 */
final class SyncScheduler {
    record Key(PublicKey peer, TopicId topic) {
    }

    private final class State {
        boolean running;
        boolean queued;
        boolean again;
        int failures;
        Cancellable retry;
        List<CompletableFuture<NodeEvent.SyncFinished>> waiters = new ArrayList<>();
    }

    private final Scheduler scheduler;
    private final Executor executor;
    private final int maxConcurrent;
    private final int maxRetries;
    private final Duration baseDelay;
    private final Duration maxDelay;
    private final Random jitter;
    /** Runs one session; the future completes with its outcome or fails with a SyncFailedException. */
    private final BiFunction<PublicKey, TopicId, CompletableFuture<NodeEvent.SyncFinished>> session;
    private final Map<Key, State> states = new HashMap<>();
    private final LinkedHashSet<Key> waiting = new LinkedHashSet<>();
    private int running;
    private boolean closed;

    SyncScheduler(Scheduler scheduler, Executor executor, int maxConcurrent, int maxRetries, Duration baseDelay,
                  Duration maxDelay, long seed,
                  BiFunction<PublicKey, TopicId, CompletableFuture<NodeEvent.SyncFinished>> session) {
        this.scheduler = scheduler;
        this.executor = executor;
        this.maxConcurrent = maxConcurrent;
        this.maxRetries = maxRetries;
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.jitter = new Random(seed);
        this.session = session;
    }

    /** Asks for a session with {@code peer} about {@code topic}; the future reports the next one to end. */
    CompletableFuture<NodeEvent.SyncFinished> request(PublicKey peer, TopicId topic) {
        CompletableFuture<NodeEvent.SyncFinished> outcome = new CompletableFuture<>();
        boolean start;
        synchronized (this) {
            if (closed) {
                outcome.completeExceptionally(new SyncFailedException(SyncFailure.CANCELLED, "the node is closed", null));
                return outcome;
            }
            Key key = new Key(peer, topic);
            State s = states.computeIfAbsent(key, k -> new State());
            s.waiters.add(outcome);
            if (s.retry != null) {
                s.retry.cancel();
                s.retry = null;
            }
            if (s.running || s.queued) {
                s.again = s.running;
                return outcome;
            }
            start = admit(key, s);
        }
        if (start) {
            launch(new Key(peer, topic));
        }
        return outcome;
    }

    /** Whether {@code key} may start now; otherwise it waits in line. Holds the lock. */
    private boolean admit(Key key, State s) {
        if (running < maxConcurrent) {
            running++;
            s.running = true;
            return true;
        }
        s.queued = true;
        waiting.add(key);
        return false;
    }

    private void launch(Key key) {
        executor.execute(() -> {
            CompletableFuture<NodeEvent.SyncFinished> f;
            try {
                f = session.apply(key.peer(), key.topic());
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(new SyncFailedException(SyncFailure.INTERNAL, String.valueOf(e), e));
            }
            f.whenComplete((done, error) -> finished(key, done, error));
        });
    }

    private void finished(Key key, NodeEvent.SyncFinished done, Throwable error) {
        List<CompletableFuture<NodeEvent.SyncFinished>> waiters;
        List<Key> toLaunch = new ArrayList<>();
        synchronized (this) {
            running--;
            State s = states.get(key);
            waiters = s.waiters;
            s.waiters = new ArrayList<>();
            s.running = false;
            if (error == null) {
                s.failures = 0;
            } else {
                s.failures++;
            }
            if (!closed) {
                if (s.again) {
                    s.again = false;
                    if (admit(key, s)) {
                        toLaunch.add(key);
                    }
                } else if (error != null && s.failures <= maxRetries && !cancelled(error)) {
                    s.retry = scheduler.schedule(() -> retry(key), backoff(s.failures));
                } else if (s.retry == null) {
                    states.remove(key);
                }
                Iterator<Key> it = waiting.iterator();
                while (running < maxConcurrent && it.hasNext()) {
                    Key next = it.next();
                    it.remove();
                    State n = states.get(next);
                    n.queued = false;
                    running++;
                    n.running = true;
                    toLaunch.add(next);
                }
            }
        }
        for (CompletableFuture<NodeEvent.SyncFinished> w : waiters) {
            if (error == null) {
                w.complete(done);
            } else {
                w.completeExceptionally(error);
            }
        }
        for (Key k : toLaunch) {
            launch(k);
        }
    }

    private static boolean cancelled(Throwable error) {
        return error instanceof SyncFailedException f
                && (f.reason() == SyncFailure.CANCELLED || f.reason() == SyncFailure.REFUSED);
    }

    private void retry(Key key) {
        boolean start;
        synchronized (this) {
            State s = states.get(key);
            if (closed || s == null || s.running || s.queued) {
                return;
            }
            s.retry = null;
            start = admit(key, s);
        }
        if (start) {
            launch(key);
        }
    }

    /** base × 2^(failures-1), capped, times a random factor in [0.5, 1.5). */
    private synchronized Duration backoff(int failures) {
        long base = baseDelay.toMillis() << Math.min(failures - 1, 20);
        long capped = Math.min(base, maxDelay.toMillis());
        return Duration.ofMillis((long) (capped * (0.5 + jitter.nextDouble())));
    }

    /** Forgets scheduled retries of {@code topic} (unsubscribed). */
    synchronized void forget(TopicId topic) {
        states.entrySet().removeIf(e -> {
            if (!e.getKey().topic().equals(topic) || e.getValue().running || e.getValue().queued) {
                return false;
            }
            if (e.getValue().retry != null) {
                e.getValue().retry.cancel();
            }
            return true;
        });
    }

    void close() {
        List<CompletableFuture<NodeEvent.SyncFinished>> waiters = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (State s : states.values()) {
                if (s.retry != null) {
                    s.retry.cancel();
                }
                if (!s.running) {
                    waiters.addAll(s.waiters);
                }
            }
            waiting.clear();
        }
        for (CompletableFuture<NodeEvent.SyncFinished> w : waiters) {
            w.completeExceptionally(new SyncFailedException(SyncFailure.CANCELLED, "the node is closed", null));
        }
    }
}
