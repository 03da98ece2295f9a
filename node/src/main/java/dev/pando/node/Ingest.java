package dev.pando.node;

import dev.pando.Hash;
import dev.pando.InvalidOperationException;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.StoreException;
import dev.pando.spi.IncomingOperation;
import dev.pando.spi.IngestSink;
import dev.pando.spi.IngestVerdict;
import dev.pando.spi.Store;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.IntStream;

/**
 * The ingest pipeline: the only way operations from outside (sync, gossip, imports) enter a
 * {@link Store}. For each operation, in this order:
 * <ol>
 *   <li>decode and validate on its own ({@link Operation#decode}, {@link Operation#validate()}:
 *       signature, version, payload, seq/backlink) — else {@link IngestResult.Rejected};</li>
 *   <li>locate it in its log (author, log id) against what is stored: at or below the highest
 *       stored seq it is a {@link IngestResult.Duplicate} (same id stored there), a
 *       {@link IngestResult.Fork} (a different operation stored there) or
 *       {@link IngestResult.Outdated} (nothing stored there: the log was pruned past it);</li>
 *   <li>directly after the highest stored seq (or seq 0 of an empty log) it must follow its
 *       predecessor ({@link Operation#validateAfter}) — else Rejected — and is
 *       {@link IngestResult.Inserted}; an operation with the prune flag may start anywhere above
 *       the stored part, and everything before it in its log is deleted;</li>
 *   <li>further ahead it is {@link IngestResult.Pending}: held in a buffer bounded in count and
 *       bytes (oldest evicted, counted by {@link EvictionReason}) and stored, cascading, when its
 *       predecessor is stored.</li>
 * </ol>
 *
 * <p><b>Batches.</b> {@link #ingestBatch} verifies signatures in parallel on a pool of
 * {@code verifyThreads} daemon threads, then applies the log checks in input order and stores
 * everything accepted in ONE {@link Store#insertBatch} transaction. Operations may arrive in any
 * order within and across batches.
 *
 * <p><b>Threading.</b> Thread-safe. Verification runs concurrently; placing and storing is
 * serialised by one lock, in the order the calls began, so concurrent ingest of one log never
 * forks it or loses operations. {@link #ingestBatchAsync} lets one caller overlap the storing of
 * a batch with the verification of the next.
 * One {@code Ingest} must be the only writer of its store.
 *
 * <p><b>Memory.</b> Nothing grows without bound: the log state is read from the store per batch
 * (one {@link Store#latest} per log touched) and the pending buffer is bounded. A header longer
 * than {@link Builder#maxHeaderBytes} is refused before it is decoded
 * ({@link IngestResult.HeaderTooLarge}, counted).
 *
 * <p><b>Deleted payloads.</b> A {@link IngestResult.Duplicate} whose stored copy lost its body
 * (deleted) and that carries the body hands it to the store again, which restores it.
 *
 * <p><b>Pruning</b> deletes with {@link Store#prune} right after the batch's transaction, so a
 * crash in between can leave operations before a prune point in place; they are harmless and the
 * next prune of that log removes them.
 *
 * <p><b>Errors.</b> Invalid operations are results, never exceptions. A failing store throws
 * {@link StoreException}; then nothing of that batch is stored (pending operations it had
 * released are dropped, counted as {@link EvictionReason#STORE_FAILURE}). Using a closed
 * {@code Ingest} throws {@link IllegalStateException}. The store is not closed by {@link #close()}.
 */
public final class Ingest implements AutoCloseable {
    /** Default bound of the pending buffer, in operations. */
    public static final int DEFAULT_MAX_PENDING_OPERATIONS = 10_000;
    /** Default bound of the pending buffer, in header plus body bytes. */
    public static final long DEFAULT_MAX_PENDING_BYTES = 16L * 1024 * 1024;
    /**
     * Default longest header accepted, in bytes. A header holds fixed fields of about 170 bytes,
     * at most 64 previous hashes (34 bytes each) and the extensions: 64 KiB leaves the
     * extensions ample room while one header cannot cost much to decode, hold or store.
     */
    public static final int DEFAULT_MAX_HEADER_BYTES = 64 * 1024;
    /** Below this many operations a batch is verified on the calling thread (handing off costs more). */
    static final int PARALLEL_THRESHOLD = 16;

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Store store;
    private final Counters counters = new Counters();
    private final PendingBuffer pending;
    private final ReentrantLock applier = new ReentrantLock();
    /** Signalled when {@link #serving} moves on. */
    private final Condition turn = applier.newCondition();
    /** Guards {@link #nextTicket}. */
    private final Object tickets = new Object();
    private long nextTicket;
    /** The ticket whose batch applies next; guarded by {@link #applier}. */
    private long serving;
    private final ThreadPoolExecutor runners;
    private final int verifyThreads;
    private final int maxHeaderBytes;
    private final ForkJoinPool verifiers;
    private volatile boolean closed;
    private volatile int pendingSize;
    private volatile long pendingBytes;

    private Ingest(Builder b) {
        this.store = b.store;
        this.pending = new PendingBuffer(b.maxPendingOperations, b.maxPendingBytes, counters);
        this.verifyThreads = b.verifyThreads;
        this.maxHeaderBytes = b.maxHeaderBytes;
        int poolId = POOLS.incrementAndGet();
        AtomicInteger threadId = new AtomicInteger();
        // Threads start lazily on the first parallel batch, so creating an Ingest does no work.
        this.verifiers = verifyThreads > 1 ? new ForkJoinPool(verifyThreads, pool -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
            t.setName("pando-ingest-" + poolId + "-verify-" + threadId.incrementAndGet());
            return t;
        }, null, false) : null;
        AtomicInteger runnerId = new AtomicInteger();
        // Two runners: one batch can be stored while the next one is verified. Threads start on
        // the first async batch and end after a minute idle.
        this.runners = new ThreadPoolExecutor(2, 2, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "pando-ingest-" + poolId + "-async-" + runnerId.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        runners.allowCoreThreadTimeOut(true);
    }

    /** An ingest pipeline into {@code store} with the default bounds and one verify thread per core. */
    public static Ingest create(Store store) {
        return builder(store).build();
    }

    public static Builder builder(Store store) {
        return new Builder(store);
    }

    /** Ingests one operation (verified on the calling thread). */
    public IngestResult ingest(IngestInput input) {
        return ingestBatch(List.of(input)).get(0);
    }

    /**
     * Ingests a batch: verifies in parallel, then places each operation in input order and stores
     * the accepted ones in one transaction. Batches are applied in the order their calls (sync or
     * {@link #ingestBatchAsync async}) began.
     *
     * @return one result per input, in input order
     * @throws StoreException if the store fails; nothing of the batch is stored then
     */
    public List<IngestResult> ingestBatch(List<IngestInput> inputs) {
        ensureOpen();
        long ticket;
        synchronized (tickets) {
            ticket = nextTicket++;
        }
        return run(ticket, inputs);
    }

    /**
     * This pipeline as the {@link IngestSink} lent to sync providers: each batch goes through
     * {@link #ingestBatch} and each {@link IngestResult} becomes the coarser {@link IngestVerdict}
     * (a header over {@code maxHeaderBytes} is {@code REJECTED} without an error kind).
     */
    public IngestSink sink() {
        return new IngestSink() {
            @Override
            public List<IngestVerdict> ingest(List<IncomingOperation> operations) {
                return verdicts(ingestBatch(inputs(operations)));
            }

            @Override
            public CompletableFuture<List<IngestVerdict>> ingestAsync(List<IncomingOperation> operations) {
                return ingestBatchAsync(inputs(operations)).thenApply(Ingest::verdicts);
            }
        };
    }

    static List<IngestInput> inputs(List<IncomingOperation> operations) {
        List<IngestInput> inputs = new ArrayList<>(operations.size());
        for (IncomingOperation o : operations) {
            inputs.add(new IngestInput(o.header(), o.body()));
        }
        return inputs;
    }

    static List<IngestVerdict> verdicts(List<IngestResult> results) {
        List<IngestVerdict> verdicts = new ArrayList<>(results.size());
        for (IngestResult r : results) {
            verdicts.add(verdict(r));
        }
        return verdicts;
    }

    static IngestVerdict verdict(IngestResult result) {
        if (result instanceof IngestResult.Inserted) {
            return IngestVerdict.of(IngestVerdict.Status.STORED);
        } else if (result instanceof IngestResult.Duplicate) {
            return IngestVerdict.of(IngestVerdict.Status.DUPLICATE);
        } else if (result instanceof IngestResult.Pending) {
            return IngestVerdict.of(IngestVerdict.Status.PENDING);
        } else if (result instanceof IngestResult.Outdated) {
            return IngestVerdict.of(IngestVerdict.Status.OUTDATED);
        } else if (result instanceof IngestResult.Fork f) {
            return new IngestVerdict(IngestVerdict.Status.FORK, Optional.empty(),
                    "fork of " + f.log() + " at seq " + f.seqNum());
        } else if (result instanceof IngestResult.Rejected r) {
            return IngestVerdict.rejected(r.kind(), r.message());
        } else if (result instanceof IngestResult.HeaderTooLarge h) {
            return new IngestVerdict(IngestVerdict.Status.REJECTED, Optional.empty(),
                    "header of " + h.headerBytes() + " bytes is over the limit of " + h.limit());
        }
        throw new IllegalStateException("unknown ingest result " + result);
    }

    /**
     * As {@link #ingestBatch}, on the pipeline's threads: the caller may prepare the next batch
     * while this one is verified and stored, and several batches may be verified while an earlier
     * one is being stored. Batches are applied in the order of the calls. The caller bounds how
     * many batches it leaves outstanding (each holds its inputs until it completes).
     *
     * @return completes with the results, or exceptionally with a {@link StoreException}, or an
     *     {@link IllegalStateException} if the pipeline was closed first
     */
    public CompletableFuture<List<IngestResult>> ingestBatchAsync(List<IngestInput> inputs) {
        ensureOpen();
        List<IngestInput> batch = List.copyOf(inputs);
        synchronized (tickets) {
            // The ticket and the queue position are taken together: the runners take batches in
            // ticket order, so the lowest waiting ticket is always running, never queued behind a
            // runner that waits for it.
            long ticket = nextTicket++;
            try {
                return CompletableFuture.supplyAsync(() -> run(ticket, batch), runners);
            } catch (RejectedExecutionException e) {
                throw new IllegalStateException("this ingest pipeline is closed", e);
            }
        }
    }

    /** Verifies, then waits for this ticket's turn and applies. Always passes the turn on. */
    private List<IngestResult> run(long ticket, List<IngestInput> inputs) {
        Checked[] checked = null;
        RuntimeException failure = null;
        try {
            checked = verify(inputs);
        } catch (RuntimeException e) {
            failure = e;
        }
        applier.lock();
        try {
            while (serving != ticket && !closed) {
                turn.awaitUninterruptibly();
            }
            try {
                if (failure != null) {
                    throw failure;
                }
                ensureOpen();
                return apply(checked);
            } finally {
                serving = ticket + 1;
                turn.signalAll();
            }
        } finally {
            applier.unlock();
        }
    }

    private Checked[] verify(List<IngestInput> inputs) {
        int n = inputs.size();
        Checked[] checked = new Checked[n];
        if (verifiers == null || n < PARALLEL_THRESHOLD) {
            for (int i = 0; i < n; i++) {
                checked[i] = check(inputs.get(i));
            }
        } else {
            try {
                verifiers.submit(() -> IntStream.range(0, n).parallel().forEach(i -> checked[i] = check(inputs.get(i))))
                        .join();
            } catch (RejectedExecutionException e) {
                throw new IllegalStateException("this ingest pipeline is closed", e);
            }
        }
        return checked;
    }

    /** What this pipeline has done so far (a snapshot; does not wait for a running batch). */
    public IngestCounters counters() {
        // The buffer's size comes from copies the applier publishes after each batch, so a
        // snapshot never waits for the lock; at worst it is one batch old.
        return counters.snapshot(pendingSize, pendingBytes);
    }

    /**
     * Stops the pipeline's threads; batches not yet applied fail with an
     * {@link IllegalStateException}. Idempotent. Does not close the store.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        applier.lock();
        try {
            turn.signalAll();
        } finally {
            applier.unlock();
        }
        runners.shutdown();
        if (verifiers != null) {
            verifiers.shutdown();
        }
        try {
            runners.awaitTermination(10, TimeUnit.SECONDS);
            if (verifiers != null) {
                verifiers.awaitTermination(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this ingest pipeline is closed");
        }
    }

    /** An input after decoding and validation on its own: an operation, or why it was refused. */
    private record Checked(Operation operation, long size, IngestResult refused) {
    }

    private Checked check(IngestInput input) {
        int length = input.header().length;
        if (length > maxHeaderBytes) {
            return new Checked(null, 0, new IngestResult.HeaderTooLarge(length, maxHeaderBytes));
        }
        Operation op;
        try {
            op = Operation.decode(input.header(), input.body().orElse(null));
        } catch (InvalidOperationException e) {
            return new Checked(null, 0, new IngestResult.Rejected(e.kind(), e.getMessage(), Optional.empty()));
        }
        try {
            op.validate();
        } catch (InvalidOperationException e) {
            return new Checked(null, 0, new IngestResult.Rejected(e.kind(), e.getMessage(), Optional.of(op.id())));
        }
        return new Checked(op, input.size(), null);
    }

    /** One slot of a log. */
    private record Slot(LogKey log, long seqNum) {
    }

    /** What one batch has decided so far, layered over the store. Lives for one batch only. */
    private final class Batch {
        final Map<LogKey, Optional<Operation>> tips = new HashMap<>();
        final Map<Slot, Operation> placed = new HashMap<>();
        final Map<LogKey, Long> pruneBefore = new HashMap<>();
        final List<Operation> toInsert = new ArrayList<>();
        /** Ids in {@link #toInsert} that are stored already and come again to restore their body. */
        final Set<Hash> restoring = new HashSet<>();
        int releasedCount;

        Optional<Operation> tip(LogKey log) {
            return tips.computeIfAbsent(log, k -> store.latest(k.author(), k.logId()));
        }

        /** The operation at a position at or below the log's tip, if one is held. */
        Optional<Operation> at(LogKey log, long seqNum) {
            Long prunedTo = pruneBefore.get(log);
            if (prunedTo != null && seqNum < prunedTo) {
                return Optional.empty();
            }
            Operation op = placed.get(new Slot(log, seqNum));
            if (op != null) {
                return Optional.of(op);
            }
            List<Operation> stored = store.log(log.author(), log.logId(), seqNum, 1);
            return stored.isEmpty() || stored.get(0).seqNum() != seqNum ? Optional.empty() : Optional.of(stored.get(0));
        }

        /** Hands a stored operation whose body was deleted to the store again, with its body. */
        void restore(Operation op) {
            toInsert.add(op);
            restoring.add(op.id());
            placed.put(new Slot(new LogKey(op.author(), op.logId()), op.seqNum()), op);
        }

        void accept(Operation op, LogKey log) {
            toInsert.add(op);
            placed.put(new Slot(log, op.seqNum()), op);
            tips.put(log, Optional.of(op));
            if (op.header().prune()) {
                pruneBefore.put(log, op.seqNum());
                pending.dropBelow(log, op.seqNum(), EvictionReason.OUTDATED);
            }
            // Anything still waiting at this very position lost the race: the same operation is
            // now stored; a different one is a fork.
            for (PendingBuffer.Entry e : pending.take(log, op.seqNum())) {
                if (!e.id().equals(op.id())) {
                    counters.fork.increment();
                }
            }
        }
    }

    private List<IngestResult> apply(Checked[] checked) {
        Batch batch = new Batch();
        IngestResult[] results = new IngestResult[checked.length];
        try {
            for (int i = 0; i < checked.length; i++) {
                Checked c = checked[i];
                results[i] = c.refused() != null ? c.refused() : place(c.operation(), c.size(), batch);
            }
            Set<Hash> notNew = Set.of();
            if (!batch.toInsert.isEmpty()) {
                try {
                    boolean[] fresh = store.insertBatch(batch.toInsert);
                    for (int i = 0; i < fresh.length; i++) {
                        if (!fresh[i] && !batch.restoring.contains(batch.toInsert.get(i).id())) {
                            // Only possible if something else wrote to the store meanwhile.
                            notNew = notNew.isEmpty() ? new HashSet<>() : notNew;
                            notNew.add(batch.toInsert.get(i).id());
                        }
                    }
                } catch (RuntimeException e) {
                    if (batch.releasedCount > 0) {
                        counters.evicted(EvictionReason.STORE_FAILURE, batch.releasedCount);
                    }
                    throw e instanceof StoreException se ? se : new StoreException("the store failed to insert a batch", e);
                }
                for (Map.Entry<LogKey, Long> p : batch.pruneBefore.entrySet()) {
                    store.prune(p.getKey().author(), p.getKey().logId(), p.getValue());
                }
            }
            tally(results, notNew);
            return Arrays.asList(results);
        } finally {
            pendingSize = pending.size();
            pendingBytes = pending.bytes();
        }
    }

    private IngestResult place(Operation op, long size, Batch batch) {
        LogKey log = new LogKey(op.author(), op.logId());
        long seq = op.seqNum();
        Optional<Operation> tip = batch.tip(log);
        if (tip.isPresent() && seq <= tip.get().seqNum()) {
            Optional<Operation> there = batch.at(log, seq);
            if (there.isEmpty()) {
                return new IngestResult.Outdated(op.id(), log, seq);
            }
            if (there.get().id().equals(op.id())) {
                if (there.get().body().isEmpty() && op.body().isPresent()) {
                    batch.restore(op);
                }
                return new IngestResult.Duplicate(op.id(), log, seq);
            }
            return new IngestResult.Fork(log, seq, there.get().id(), op.id());
        }
        boolean prune = op.header().prune();
        boolean next = tip.isEmpty() ? seq == 0 : seq == tip.get().seqNum() + 1;
        if (!next && !prune) {
            pending.add(op, log, size);
            return new IngestResult.Pending(op.id(), log, seq, tip.map(Operation::seqNum));
        }
        if (!prune && tip.isPresent()) {
            try {
                op.validateAfter(tip.get());
            } catch (InvalidOperationException e) {
                return new IngestResult.Rejected(e.kind(), e.getMessage(), Optional.of(op.id()));
            }
        }
        batch.accept(op, log);
        return new IngestResult.Inserted(op.id(), log, seq, release(op, log, batch));
    }

    /** Stores, in log order, the chain of pending operations that now follows {@code op}. */
    private List<Hash> release(Operation op, LogKey log, Batch batch) {
        List<Hash> released = List.of();
        Operation current = op;
        while (true) {
            List<PendingBuffer.Entry> waiting = pending.take(log, current.seqNum() + 1);
            if (waiting.isEmpty()) {
                return released;
            }
            Operation chosen = null;
            for (PendingBuffer.Entry e : waiting) {
                if (chosen != null) {
                    counters.fork.increment();
                    continue;
                }
                try {
                    e.operation().validateAfter(current);
                    chosen = e.operation();
                } catch (InvalidOperationException ex) {
                    counters.rejected(ex.kind());
                }
            }
            if (chosen == null) {
                return released;
            }
            batch.accept(chosen, log);
            batch.releasedCount++;
            if (released.isEmpty()) {
                released = new ArrayList<>();
            }
            released.add(chosen.id());
            current = chosen;
        }
    }

    private void tally(IngestResult[] results, Set<Hash> notNew) {
        for (int i = 0; i < results.length; i++) {
            IngestResult r = results[i];
            if (r instanceof IngestResult.Inserted ins) {
                if (!notNew.isEmpty()) {
                    List<Hash> released = ins.released().stream().filter(h -> !notNew.contains(h)).toList();
                    r = notNew.contains(ins.id()) ? new IngestResult.Duplicate(ins.id(), ins.log(), ins.seqNum())
                            : new IngestResult.Inserted(ins.id(), ins.log(), ins.seqNum(), released);
                    results[i] = r;
                    counters.released.add(released.size());
                } else {
                    counters.released.add(ins.released().size());
                }
            }
            if (r instanceof IngestResult.Inserted) {
                counters.inserted.increment();
            } else if (r instanceof IngestResult.Duplicate) {
                counters.duplicate.increment();
            } else if (r instanceof IngestResult.Outdated) {
                counters.outdated.increment();
            } else if (r instanceof IngestResult.Pending) {
                counters.pending.increment();
            } else if (r instanceof IngestResult.Rejected rej) {
                counters.rejected(rej.kind());
            } else if (r instanceof IngestResult.Fork) {
                counters.fork.increment();
            } else if (r instanceof IngestResult.HeaderTooLarge) {
                counters.headerTooLarge.increment();
            }
        }
    }

    /** Settings of an {@link Ingest}. */
    public static final class Builder {
        private final Store store;
        private int maxPendingOperations = DEFAULT_MAX_PENDING_OPERATIONS;
        private long maxPendingBytes = DEFAULT_MAX_PENDING_BYTES;
        private int verifyThreads = Runtime.getRuntime().availableProcessors();
        private int maxHeaderBytes = DEFAULT_MAX_HEADER_BYTES;

        private Builder(Store store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** Most operations held while their predecessor is missing (0 holds none). */
        public Builder maxPendingOperations(int operations) {
            if (operations < 0) {
                throw new IllegalArgumentException("maxPendingOperations must be at least 0");
            }
            this.maxPendingOperations = operations;
            return this;
        }

        /** Most header plus body bytes held while their predecessor is missing. */
        public Builder maxPendingBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("maxPendingBytes must be at least 0");
            }
            this.maxPendingBytes = bytes;
            return this;
        }

        /** Threads verifying signatures of a batch in parallel (default: one per core; 1: the caller's thread). */
        public Builder verifyThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("verifyThreads must be at least 1");
            }
            this.verifyThreads = threads;
            return this;
        }

        /**
         * Longest header accepted, in bytes (default 64 KiB, {@link Ingest#DEFAULT_MAX_HEADER_BYTES}); a
         * longer one is {@link IngestResult.HeaderTooLarge}, neither decoded nor stored.
         */
        public Builder maxHeaderBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxHeaderBytes must be at least 1");
            }
            this.maxHeaderBytes = bytes;
            return this;
        }

        public Ingest build() {
            return new Ingest(this);
        }
    }
}
