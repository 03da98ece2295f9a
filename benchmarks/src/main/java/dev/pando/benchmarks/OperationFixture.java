package dev.pando.benchmarks;

import dev.pando.CborValue;
import dev.pando.CborWriter;
import dev.pando.Hash;
import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.Signature;
import dev.pando.TopicId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One typical operation and its pieces, the same for every benchmark and for the smoke test:
 * seq 5 with a backlink, a 200-byte body, the log id extension of a topic log, a fixed timestamp
 * (so building it again yields the same bytes: Ed25519 signatures are deterministic).
 */
final class OperationFixture {
    static final int BODY_SIZE = 200;
    static final long SEQ_NUM = 5;
    static final long TIMESTAMP = 1_764_028_800_000_000L; // 2025-11-25T00:00:00Z in microseconds
    private static final long RANDOM_SEED = 0x70616e646fL;

    final PrivateKey key;
    final PublicKey author;
    final byte[] seed;
    final byte[] publicKey;
    final byte[] body;
    final Hash payloadHash;
    final Hash backlink;
    final LogId logId;
    final Operation operation;
    final byte[] headerBytes;
    final byte[] unsignedBytes;
    final Signature signatureValue;
    final byte[] signature;

    OperationFixture() {
        SplittableRandom random = new SplittableRandom(RANDOM_SEED);
        seed = bytes(random, PrivateKey.LENGTH);
        key = PrivateKey.fromBytes(seed);
        author = key.publicKey();
        publicKey = author.bytes();
        body = bytes(random, BODY_SIZE);
        payloadHash = Hash.of(body);
        backlink = Hash.of(bytes(random, 100));
        logId = LogId.forTopic(TopicId.named("pando benchmarks"));
        operation = build();
        headerBytes = operation.headerBytes();
        unsignedBytes = operation.header().unsignedBytes();
        signatureValue = operation.header().signature().orElseThrow();
        signature = signatureValue.bytes();
    }

    /** Builds and signs the operation through the public API, as an application does. */
    Operation build() {
        return Operation.builder(key)
                .seqNum(SEQ_NUM)
                .backlink(backlink)
                .timestamp(TIMESTAMP)
                .logId(logId)
                .body(body)
                .build();
    }

    /**
     * The header encoded through the public {@link CborWriter}, step for step as the api's
     * package-private {@code Header.encode} does it (the api exposes no pure-encode path):
     * the extensions map goes through {@link CborWriter#encode(CborValue)}, which sorts its keys,
     * then the positional array is written around it.
     *
     * @param sig the signature bytes, or {@code null} for the bytes that get signed
     */
    byte[] encodeHeader(CborValue.Map extensions, byte[] sig) {
        byte[] ext = CborWriter.encode(extensions);
        int elements = 6 + (sig != null ? 1 : 0) + 1 /* payload hash */ + 1 /* backlink */ + 1 /* extensions */;
        CborWriter w = new CborWriter(160 + ext.length);
        w.writeArrayHeader(elements).writeUnsigned(1).writeBytes(publicKey);
        if (sig != null) {
            w.writeBytes(sig);
        }
        w.writeUnsigned(BODY_SIZE).writeBytes(payloadHash.bytes())
                .writeUnsigned(TIMESTAMP).writeUnsigned(SEQ_NUM).writeBytes(backlink.bytes())
                .writeArrayHeader(0)
                .writeEncoded(ext, 0, ext.length);
        return w.toByteArray();
    }

    /** The extensions item OperationBuilder makes for a topic log without the prune flag. */
    CborValue.Map extensions() {
        Map<CborValue, CborValue> entries = new LinkedHashMap<>();
        entries.put(new CborValue.Text("log_id"), new CborValue.Bytes(logId.bytes()));
        return new CborValue.Map(entries);
    }

    private static byte[] bytes(SplittableRandom random, int length) {
        byte[] out = new byte[length];
        random.nextBytes(out);
        return out;
    }
}
