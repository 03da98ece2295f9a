package dev.pando.examples;

import dev.pando.Hash;
import dev.pando.InvalidOperationException;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.spi.RawOperation;
import dev.pando.spi.Store;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads every log of a store and checks that it is a gap-free chain of valid operations: each
 * operation decodes and validates (signature included), its stored id is the hash of its header,
 * it belongs to the log it is stored under, and it follows its predecessor (seq + 1, backlink)
 * unless it carries the prune flag (a log may start, or restart after a gap, at a prune point).
 * A log starts at seq 0 or at a prune point. Pages through logs: memory stays bounded.
 */
final class LogChainCheck {
    /** How many problem descriptions a report keeps (all are counted). */
    static final int MAX_REPORTED = 100;
    private static final int PAGE = 1000;

    /** Kind of a problem whose operation is valid on its own and in its chain, but stored wrongly. */
    static final String ID_MISMATCH = "IdMismatch";
    /** Kind: an operation stored under another (author, log id, seq) than its header names. */
    static final String WRONG_POSITION = "WrongPosition";
    /** Kind: a log whose first stored operation is neither seq 0 nor prune-flagged. */
    static final String MISSING_START = "MissingStart";

    /** What the check found. */
    record Report(long logs, long operations, long bytes, long problemCount, List<Problem> problems) {
        boolean ok() {
            return problemCount == 0;
        }
    }

    /**
     * One problem at one stored operation.
     *
     * @param kind an {@link dev.pando.OperationError#wireName()} for an operation that is invalid
     *     (on its own, or after its predecessor), else {@value #ID_MISMATCH}, {@value #WRONG_POSITION}
     *     or {@value #MISSING_START}
     */
    record Problem(String kind, LogKey log, long seq, String message) {
    }

    private long logs;
    private long operations;
    private long bytes;
    private long problemCount;
    private final List<Problem> problems = new ArrayList<>();

    private LogChainCheck() {
    }

    static Report run(Store store) {
        LogChainCheck c = new LogChainCheck();
        for (LogKey log : store.logs()) {
            c.checkLog(store, log);
        }
        return new Report(c.logs, c.operations, c.bytes, c.problemCount, List.copyOf(c.problems));
    }

    private void checkLog(Store store, LogKey log) {
        logs++;
        Operation prev = null;
        long from = 0;
        while (true) {
            List<RawOperation> page = store.rawLog(log.author(), log.logId(), from, PAGE);
            for (RawOperation raw : page) {
                operations++;
                bytes += raw.size();
                Operation op = check(log, raw, prev);
                if (op != null) {
                    prev = op;
                }
            }
            if (page.size() < PAGE) {
                return;
            }
            from = page.get(page.size() - 1).seqNum() + 1;
        }
    }

    /** The operation if it decodes (to continue the chain from), whether or not it had problems. */
    private Operation check(LogKey log, RawOperation raw, Operation prev) {
        long seq = raw.seqNum();
        Operation op;
        try {
            op = Operation.decode(raw.header(), raw.body().orElse(null));
        } catch (InvalidOperationException e) {
            problem(e.kind().wireName(), log, seq, e.getMessage());
            return null;
        }
        try {
            op.validate();
        } catch (InvalidOperationException e) {
            problem(e.kind().wireName(), log, seq, e.getMessage());
        }
        if (!Hash.of(raw.header()).equals(raw.id())) {
            problem(ID_MISMATCH, log, seq, "the stored id is not the hash of the stored header");
        }
        if (op.seqNum() != raw.seqNum() || !op.author().equals(log.author()) || !op.logId().equals(log.logId())) {
            problem(WRONG_POSITION, log, seq, "stored under another position than its header names (" + op + ")");
        }
        if (op.header().prune()) {
            return op;
        }
        if (prev == null) {
            if (op.seqNum() != 0) {
                problem(MISSING_START, log, seq, "the log starts at seq " + op.seqNum() + " without the prune flag");
            }
            return op;
        }
        try {
            op.validateAfter(prev);
        } catch (InvalidOperationException e) {
            problem(e.kind().wireName(), log, seq, e.getMessage());
        }
        return op;
    }

    private void problem(String kind, LogKey log, long seq, String message) {
        problemCount++;
        if (problems.size() < MAX_REPORTED) {
            problems.add(new Problem(kind, log, seq, message));
        }
    }
}
