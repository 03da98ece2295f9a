package dev.pando.node;

import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Builds valid logs for tests. */
final class Logs {
    private Logs() {
    }

    /** Operations 0..count-1 of one log, each with a small body. */
    static List<Operation> chain(PrivateKey key, LogId logId, int count) {
        List<Operation> ops = new ArrayList<>(count);
        Operation prev = null;
        for (int i = 0; i < count; i++) {
            var b = Operation.builder(key).timestamp(1_000_000L + i).body(("op " + i).getBytes());
            prev = (prev == null ? b.logId(logId) : b.after(prev)).build();
            ops.add(prev);
        }
        return ops;
    }

    static PrivateKey key(long seed) {
        byte[] s = new byte[32];
        new Random(seed).nextBytes(s);
        return PrivateKey.fromBytes(s);
    }

    static IngestInput input(Operation op) {
        return op.body().isPresent() ? IngestInput.of(op.headerBytes(), op.body().get().bytes())
                : IngestInput.withoutBody(op.headerBytes());
    }

    static List<IngestInput> inputs(List<Operation> ops) {
        return ops.stream().map(Logs::input).toList();
    }
}
