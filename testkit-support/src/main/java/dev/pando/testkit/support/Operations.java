package dev.pando.testkit.support;

import dev.pando.CborWriter;
import dev.pando.Hash;
import dev.pando.Header;
import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.Operation;
import dev.pando.OperationBuilder;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Valid, signed operations for tests: chains of logs with bodies, several authors at once, a fork
 * of an operation, and a header whose bytes are deliberately not in canonical map order.
 *
 * <p>Everything here is deterministic given the same keys: bodies are derived from the seq number,
 * timestamps are fixed, and {@link #key(int)} derives a key from a number. Chains are built with
 * {@link Operation#builder(PrivateKey)} and {@link OperationBuilder#after(Operation)}, so each
 * operation passes {@link Operation#validate()} and {@link Operation#validateAfter(Operation)}
 * against its predecessor.
 *
 * <pre>{@code
 * PrivateKey alice = Operations.key(1);
 * List<Operation> log = Operations.chain(alice, LogId.EMPTY, 10);        // seq 0..9, 64-byte bodies
 * Operations.Logs many = Operations.logs(4, 500, LogId.fromHex("01"));   // 4 authors x 500 ops
 * }</pre>
 */
public final class Operations {
    /** Body size used when none is given. */
    public static final int DEFAULT_BODY_SIZE = 64;
    /** Timestamp (microseconds) of the first operation of every chain; each next one adds 1. */
    public static final long BASE_TIMESTAMP = 1_700_000_000_000_000L;

    private Operations() {
    }

    /** A key derived from {@code n}: the same number gives the same key in every run. */
    public static PrivateKey key(int n) {
        return PrivateKey.fromBytes(Hash.of(("pando-testkit-key-" + n).getBytes(StandardCharsets.UTF_8)).bytes());
    }

    /** The body of seq {@code seq} in a chain: {@code size} bytes derived from the seq number. */
    public static byte[] body(long seq, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (seq * 31 + i);
        }
        return b;
    }

    /** Operations seq 0 to {@code count - 1} of one log, each with a {@value #DEFAULT_BODY_SIZE}-byte body. */
    public static List<Operation> chain(PrivateKey key, LogId logId, int count) {
        return chain(key, logId, count, DEFAULT_BODY_SIZE);
    }

    /**
     * Operations seq 0 to {@code count - 1} of one log. A {@code bodySize} of 0 makes operations
     * without a body (payload size 0).
     */
    public static List<Operation> chain(PrivateKey key, LogId logId, int count, int bodySize) {
        if (count < 0 || bodySize < 0) {
            throw new IllegalArgumentException("count and bodySize must not be negative");
        }
        List<Operation> ops = new ArrayList<>(count);
        if (count == 0) {
            return ops;
        }
        OperationBuilder first = Operation.builder(key).logId(logId).timestamp(BASE_TIMESTAMP);
        if (bodySize > 0) {
            first.body(body(0, bodySize));
        }
        ops.add(first.build());
        ops.addAll(continueChain(key, ops.get(0), count - 1, bodySize));
        return ops;
    }

    /** The next {@code count} operations after {@code latest} in its log. */
    public static List<Operation> continueChain(PrivateKey key, Operation latest, int count, int bodySize) {
        List<Operation> ops = new ArrayList<>(count);
        Operation prev = latest;
        for (int i = 0; i < count; i++) {
            long seq = prev.seqNum() + 1;
            OperationBuilder b = Operation.builder(key).after(prev).timestamp(BASE_TIMESTAMP + seq);
            if (bodySize > 0) {
                b.body(body(seq, bodySize));
            }
            prev = b.build();
            ops.add(prev);
        }
        return ops;
    }

    /**
     * A different, validly signed operation at the same (author, log id, seq) as {@code original}
     * (same backlink, another body and timestamp): what a misbehaving author produces.
     */
    public static Operation fork(PrivateKey key, Operation original) {
        if (!key.publicKey().equals(original.author())) {
            throw new IllegalArgumentException("the key is not the author of " + original);
        }
        OperationBuilder b = Operation.builder(key)
                .seqNum(original.seqNum())
                .logId(original.logId())
                .timestamp(original.header().timestamp() + 1_000_000)
                .body("fork".getBytes(StandardCharsets.UTF_8));
        original.header().backlink().ifPresent(b::backlink);
        Operation forked = b.build();
        if (forked.id().equals(original.id())) {
            throw new IllegalStateException("fork produced the same id");
        }
        return forked;
    }

    /** {@code authors} authors (keys {@code key(1)} …), each with a log of {@code opsPerLog} operations under {@code logId}. */
    public static Logs logs(int authors, int opsPerLog, LogId logId) {
        return logs(authors, opsPerLog, logId, DEFAULT_BODY_SIZE);
    }

    /** As {@link #logs(int, int, LogId)} with bodies of {@code bodySize} bytes (0: no bodies). */
    public static Logs logs(int authors, int opsPerLog, LogId logId, int bodySize) {
        List<PrivateKey> keys = new ArrayList<>(authors);
        Map<LogKey, List<Operation>> byLog = new LinkedHashMap<>();
        for (int a = 1; a <= authors; a++) {
            PrivateKey k = key(a);
            keys.add(k);
            byLog.put(new LogKey(k.publicKey(), logId), List.copyOf(chain(k, logId, opsPerLog, bodySize)));
        }
        return new Logs(List.copyOf(keys), Collections.unmodifiableMap(byLog));
    }

    /**
     * A signed seq-0 operation (with a body) whose extensions map is written with its keys NOT in
     * canonical order ({@code "log_id"} before {@code "app"}, although {@code "app"} sorts first),
     * as another implementation may legitimately write it. A store must return these exact bytes:
     * re-encoding them canonically would change the operation's id and break its signature.
     */
    public static Operation withUnsortedExtensions(PrivateKey key, LogId logId, byte[] body) {
        Objects.requireNonNull(body, "body");
        byte[] unsigned = unsortedHeader(key.publicKey(), logId, body, null);
        byte[] signature = key.sign(unsigned).bytes();
        byte[] signed = unsortedHeader(key.publicKey(), logId, body, signature);
        Operation op = Operation.decode(signed, body);
        op.validate();
        return op;
    }

    private static byte[] unsortedHeader(PublicKey author, LogId logId, byte[] body, byte[] signature) {
        boolean hasPayload = body.length > 0;
        int elements = 7 + (signature != null ? 1 : 0) + (hasPayload ? 1 : 0); // 6 + extensions + optionals
        CborWriter w = new CborWriter(256);
        w.writeArrayHeader(elements).writeUnsigned(Header.VERSION).writeBytes(author.bytes());
        if (signature != null) {
            w.writeBytes(signature);
        }
        w.writeUnsigned(body.length);
        if (hasPayload) {
            w.writeBytes(Hash.of(body).bytes());
        }
        w.writeUnsigned(BASE_TIMESTAMP).writeUnsigned(0).writeArrayHeader(0);
        // canonical order would put "app" (head 0x63) before "log_id" (head 0x66)
        w.writeMapHeader(2).writeText("log_id").writeBytes(logId.bytes()).writeText("app").writeText("testkit");
        return w.toByteArray();
    }

    /**
     * Logs of several authors under one log id, each a valid chain from seq 0.
     *
     * @param keys the authors' keys, in order
     * @param byLog each author's log, in author order, each list in seq order
     */
    public record Logs(List<PrivateKey> keys, Map<LogKey, List<Operation>> byLog) {
        /** Every operation, log after log, each log in seq order. */
        public List<Operation> all() {
            List<Operation> all = new ArrayList<>();
            byLog.values().forEach(all::addAll);
            return all;
        }

        /** The log written by {@code key}. */
        public List<Operation> of(PrivateKey key) {
            for (Map.Entry<LogKey, List<Operation>> e : byLog.entrySet()) {
                if (e.getKey().author().equals(key.publicKey())) {
                    return e.getValue();
                }
            }
            throw new IllegalArgumentException("no log of " + key.publicKey());
        }
    }
}
