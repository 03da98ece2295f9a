package dev.pando.testkit;

import dev.pando.InvalidOperationException;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.spi.IncomingOperation;
import dev.pando.spi.IngestSink;
import dev.pando.spi.IngestVerdict;
import dev.pando.spi.Store;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A small, single-threaded reference {@link IngestSink} over a {@link Store}, for testing sync
 * providers without the node (the testkit cannot depend on module {@code dev.pando.node}: node's
 * own tests depend on the testkit). It follows the node's ingest rules in their simplest form:
 * decode and {@link Operation#validate()} (a failure is {@code REJECTED} with its kind); the same
 * id stored is {@code DUPLICATE}; another operation stored at that (author, log id, seq) is
 * {@code FORK} (the stored one stays); a position below the stored part of the log is
 * {@code OUTDATED}; the next seq of the log is checked with {@link Operation#validateAfter} and
 * stored ({@code STORED}); an operation with the prune flag may start its log anywhere above the
 * stored part (everything before it is pruned); anything else is {@code PENDING}, held (at most
 * {@value #MAX_PENDING} operations; beyond that it is dropped) and stored once its predecessor is.
 * Calls are serialised; each operation is stored on its own (no batches, no parallel verification).
 */
public final class ValidatingIngestSink implements IngestSink {
    /** The most operations held while their predecessor is missing. */
    public static final int MAX_PENDING = 100_000;

    private final Store store;
    private final Map<LogKey, TreeMap<Long, Operation>> pending = new HashMap<>();
    private final List<IngestVerdict> verdicts = new ArrayList<>();
    private int pendingCount;

    /** A sink storing into {@code store}, which must be open. */
    public ValidatingIngestSink(Store store) {
        this.store = store;
    }

    @Override
    public synchronized List<IngestVerdict> ingest(List<IncomingOperation> operations) {
        List<IngestVerdict> out = new ArrayList<>(operations.size());
        for (IncomingOperation in : operations) {
            out.add(one(in));
        }
        verdicts.addAll(out);
        return out;
    }

    /** Every verdict this sink has given, in order. */
    public synchronized List<IngestVerdict> verdicts() {
        return List.copyOf(verdicts);
    }

    /** How many operations are held waiting for their predecessor. */
    public synchronized int pending() {
        return pendingCount;
    }

    private IngestVerdict one(IncomingOperation in) {
        Operation op;
        try {
            op = Operation.decode(in.header(), in.body().orElse(null));
            op.validate();
        } catch (InvalidOperationException e) {
            return IngestVerdict.rejected(e.kind(), String.valueOf(e.getMessage()));
        }
        if (store.has(op.id())) {
            if (op.body().isPresent() && store.getRaw(op.id()).map(r -> r.body().isEmpty()).orElse(false)) {
                store.insert(op);   // the stored copy's body was deleted: this one brings it back
            }
            return IngestVerdict.of(IngestVerdict.Status.DUPLICATE);
        }
        LogKey log = new LogKey(op.author(), op.logId());
        long seq = op.seqNum();
        Optional<Operation> tip = store.latest(op.author(), op.logId());
        if (tip.isPresent() && seq <= tip.get().seqNum()) {
            List<Operation> there = store.log(op.author(), op.logId(), seq, 1);
            boolean occupied = !there.isEmpty() && there.get(0).seqNum() == seq;
            return occupied ? new IngestVerdict(IngestVerdict.Status.FORK, Optional.empty(),
                    "another operation is stored at seq " + seq + " of " + log)
                    : IngestVerdict.of(IngestVerdict.Status.OUTDATED);
        }
        boolean prune = op.header().prune();
        boolean next = tip.isEmpty() ? seq == 0 : seq == tip.get().seqNum() + 1;
        if (!next && !prune) {
            hold(log, op);
            return IngestVerdict.of(IngestVerdict.Status.PENDING);
        }
        if (!prune && tip.isPresent()) {
            try {
                op.validateAfter(tip.get());
            } catch (InvalidOperationException e) {
                return IngestVerdict.rejected(e.kind(), String.valueOf(e.getMessage()));
            }
        }
        store(log, op);
        release(log, op);
        return IngestVerdict.of(IngestVerdict.Status.STORED);
    }

    private void store(LogKey log, Operation op) {
        store.insert(op);
        if (op.header().prune() && op.seqNum() > 0) {
            store.prune(log.author(), log.logId(), op.seqNum());
        }
    }

    private void hold(LogKey log, Operation op) {
        if (pendingCount >= MAX_PENDING) {
            return;
        }
        if (pending.computeIfAbsent(log, k -> new TreeMap<>()).putIfAbsent(op.seqNum(), op) == null) {
            pendingCount++;
        }
    }

    /** Stores the held operations that now follow {@code stored}, in log order. */
    private void release(LogKey log, Operation stored) {
        TreeMap<Long, Operation> held = pending.get(log);
        Operation previous = stored;
        while (held != null) {
            Operation candidate = held.remove(previous.seqNum() + 1);
            if (candidate == null) {
                break;
            }
            pendingCount--;
            try {
                if (!candidate.header().prune()) {
                    candidate.validateAfter(previous);
                }
            } catch (InvalidOperationException e) {
                break;   // a held operation that does not follow is dropped, as the node counts it rejected
            }
            store(log, candidate);
            previous = candidate;
        }
        if (held != null && held.isEmpty()) {
            pending.remove(log);
        }
    }
}
