package dev.pando;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds and signs an operation. Defaults: seq 0, no backlink, timestamp now (microseconds), no
 * previous, no body, the empty log id, no prune flag. {@link #after(Operation)} continues a log.
 * Not thread-safe.
 *
 * <pre>{@code
 * Operation first = Operation.builder(key).logId(LogId.forTopic(topic)).body(bytes).build();
 * Operation second = Operation.builder(key).after(first).body(more).build();
 * }</pre>
 */
public final class OperationBuilder {
    private final PrivateKey key;
    private long seqNum;
    private Hash backlink;
    private Long timestamp;
    private final List<Hash> previous = new ArrayList<>();
    private byte[] body;
    private LogId logId = LogId.EMPTY;
    private boolean prune;
    private final Map<String, CborValue> extraExtensions = new LinkedHashMap<>();

    OperationBuilder(PrivateKey key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    /** Continues the log of {@code latest}: seq + 1, backlink to its id, same log id. */
    public OperationBuilder after(Operation latest) {
        if (!latest.author().equals(key.publicKey())) {
            throw new IllegalArgumentException("cannot continue a log of another author (" + latest.author() + ")");
        }
        this.seqNum = Math.addExact(latest.seqNum(), 1);
        this.backlink = latest.id();
        this.logId = latest.logId();
        return this;
    }

    public OperationBuilder seqNum(long seqNum) {
        if (seqNum < 0) {
            throw new IllegalArgumentException("seq_num must be between 0 and 2^63-1");
        }
        this.seqNum = seqNum;
        return this;
    }

    public OperationBuilder backlink(Hash backlink) {
        this.backlink = Objects.requireNonNull(backlink, "backlink");
        return this;
    }

    /** Microseconds since the Unix epoch, read as unsigned. */
    public OperationBuilder timestamp(long micros) {
        this.timestamp = micros;
        return this;
    }

    public OperationBuilder previous(List<Hash> hashes) {
        previous.clear();
        previous.addAll(hashes);
        return this;
    }

    public OperationBuilder body(byte[] body) {
        this.body = body.clone();
        return this;
    }

    public OperationBuilder logId(LogId logId) {
        this.logId = Objects.requireNonNull(logId, "logId");
        return this;
    }

    /** Sets the prune flag: the log may start at this operation and what came before is deleted. */
    public OperationBuilder prune(boolean prune) {
        this.prune = prune;
        return this;
    }

    /** Adds an application extension under a text key other than {@code "log_id"} and {@code "prune"}. */
    public OperationBuilder extension(String key, CborValue value) {
        if (key.equals("log_id") || key.equals("prune")) {
            throw new IllegalArgumentException("use logId(…) or prune(…) for the standard extension " + key);
        }
        extraExtensions.put(key, Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Signs the operation and checks it against rules 2–4 (rules 1 and 5 hold by construction:
     * the signature was just made with the author's key and the payload hash from the body).
     *
     * @throws InvalidOperationException if the fields make an invalid operation (e.g. seq 1 without
     *     a backlink)
     */
    public Operation build() {
        Operation op = buildUnchecked();
        op.validateUnsigned(false);
        return op;
    }

    /** Signs whatever the fields say, valid or not: for tests of validators. */
    Operation buildUnchecked() {
        Map<CborValue, CborValue> ext = new LinkedHashMap<>();
        if (!logId.isEmpty()) {
            ext.put(new CborValue.Text("log_id"), CborValue.Bytes.wrap(logId.bytes));
        }
        if (prune) {
            ext.put(new CborValue.Text("prune"), new CborValue.Bool(true));
        }
        extraExtensions.forEach((k, v) -> ext.put(new CborValue.Text(k), v));
        long ts = timestamp != null ? timestamp : currentMicros();
        Hash payloadHash = body != null && body.length > 0 ? Hash.of(body) : null;
        long payloadSize = body == null ? 0 : body.length;
        Header unsigned = Header.encode(Header.VERSION, key.publicKey(), null, payloadSize, payloadHash, ts, seqNum,
                backlink, previous, ext.isEmpty() ? null : new CborValue.Map(ext));
        byte[] toSign = unsigned.unsafeBytes();
        Signature sig = Signature.wrap(key.sign(toSign, 0, toSign.length));
        return Operation.of(unsigned.withSignature(sig), body == null ? null : Body.wrap(body));
    }

    private static long currentMicros() {
        java.time.Instant now = java.time.Instant.now();
        return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000L);
    }
}
