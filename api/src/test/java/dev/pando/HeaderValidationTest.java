package dev.pando;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every error kind of docs/OPERATION-FORMAT.md, reached from bytes. */
class HeaderValidationTest {
    static final PrivateKey KEY = PrivateKey.generate();
    static final byte[] BODY = "a body".getBytes(StandardCharsets.UTF_8);

    /** Encodes a header from raw fields and signs it, valid or not. */
    static byte[] signed(PrivateKey key, long version, long payloadSize, Hash payloadHash, long seq, Hash backlink) {
        Header unsigned = Header.encode(version, key.publicKey(), null, payloadSize, payloadHash, 0, seq, backlink,
                List.of(), null);
        return unsigned.withSignature(key.sign(unsigned.bytes())).bytes();
    }

    static OperationError kindOf(byte[] header, byte[] body) {
        try {
            Operation.decodeAndValidate(header, body);
        } catch (InvalidOperationException e) {
            return e.kind();
        }
        throw new AssertionError("valid");
    }

    @Test
    void eachRuleHasItsKind() {
        Hash h = Hash.of(BODY);
        assertThat(kindOf(signed(KEY, 2, 0, null, 0, null), null)).isEqualTo(OperationError.UNSUPPORTED_VERSION);
        assertThat(kindOf(signed(KEY, 1, 0, h, 0, null), null)).isEqualTo(OperationError.INCONSISTENT_PAYLOAD_INFO);
        assertThat(kindOf(signed(KEY, 1, 6, null, 0, null), null)).isEqualTo(OperationError.INCONSISTENT_PAYLOAD_INFO);
        assertThat(kindOf(signed(KEY, 1, 0, null, 0, h), null)).isEqualTo(OperationError.SEQ_NUM_MISMATCH);
        assertThat(kindOf(signed(KEY, 1, 0, null, 1, null), null)).isEqualTo(OperationError.BACKLINK_MISSING);
        byte[] withBody = signed(KEY, 1, BODY.length, h, 0, null);
        assertThat(Operation.decodeAndValidate(withBody, BODY).body()).isPresent();
        assertThat(Operation.decodeAndValidate(withBody, null).body()).isEmpty(); // a missing body is allowed
        assertThat(kindOf(withBody, "a bodY".getBytes(StandardCharsets.UTF_8))).isEqualTo(OperationError.PAYLOAD_MISMATCH);
        assertThat(kindOf(withBody, "a body!".getBytes(StandardCharsets.UTF_8))).isEqualTo(OperationError.PAYLOAD_MISMATCH);
    }

    @Test
    void signatureProblems() {
        Header unsigned = Header.encode(1, KEY.publicKey(), null, 0, null, 0, 0, null, List.of(), null);
        assertThat(kindOf(unsigned.bytes(), null)).isEqualTo(OperationError.MISSING_SIGNATURE);
        byte[] good = signed(KEY, 1, 0, null, 0, null);
        byte[] flipped = good.clone();
        flipped[40] ^= 1; // inside the signature
        assertThat(kindOf(flipped, null)).isEqualTo(OperationError.SIGNATURE_MISMATCH);
        byte[] otherTimestamp = Header.encode(1, KEY.publicKey(), Header.decode(good).signature().orElseThrow(), 0, null,
                1, 0, null, List.of(), null).bytes();
        assertThat(kindOf(otherTimestamp, null)).isEqualTo(OperationError.SIGNATURE_MISMATCH);
        // the signature is checked first: a bad signature wins over a bad version
        Header v2 = Header.encode(2, KEY.publicKey(), null, 0, null, 0, 0, null, List.of(), null);
        byte[] v2signedByOther = v2.withSignature(PrivateKey.generate().sign(v2.bytes())).bytes();
        assertThat(kindOf(v2signedByOther, null)).isEqualTo(OperationError.SIGNATURE_MISMATCH);
    }

    @Test
    void logRules() {
        Operation first = Operation.builder(KEY).timestamp(1).build();
        Operation second = Operation.builder(KEY).after(first).build();
        second.validateAfter(first);

        Operation gap = Operation.builder(KEY).seqNum(2).backlink(first.id()).build();
        assertThatThrownBy(() -> gap.validateAfter(first)).isInstanceOfSatisfying(InvalidOperationException.class,
                e -> assertThat(e.kind()).isEqualTo(OperationError.SEQ_NUM_NON_INCREMENTAL));
        Operation wrongLink = Operation.builder(KEY).seqNum(1).backlink(Hash.of(new byte[] {1})).build();
        assertThatThrownBy(() -> wrongLink.validateAfter(first)).isInstanceOfSatisfying(InvalidOperationException.class,
                e -> assertThat(e.kind()).isEqualTo(OperationError.BACKLINK_MISMATCH));
        PrivateKey other = PrivateKey.generate();
        Operation foreign = Operation.builder(other).seqNum(1).backlink(first.id()).build();
        assertThatThrownBy(() -> foreign.validateAfter(first)).isInstanceOfSatisfying(InvalidOperationException.class,
                e -> assertThat(e.kind()).isEqualTo(OperationError.TOO_MANY_AUTHORS));

        // the prune flag lets a log start anywhere
        Operation pruned = Operation.builder(KEY).seqNum(7).backlink(Hash.of(new byte[] {9})).prune(true).build();
        assertThat(pruned.header().prune()).isTrue();
        pruned.validateAfter(first);
    }

    @Test
    void builderRefusesInvalidFieldsWithTheirKind() {
        assertThatThrownBy(() -> Operation.builder(KEY).seqNum(1).build())
                .isInstanceOfSatisfying(InvalidOperationException.class, e -> assertThat(e.kind()).isEqualTo(OperationError.BACKLINK_MISSING));
    }

    @Test
    void standardExtensions() {
        TopicId topic = TopicId.named("chat");
        Operation op = Operation.builder(KEY).logId(LogId.forTopic(topic)).prune(true).timestamp(0)
                .extension("app", CborValue.of("x")).body(BODY).build();
        Header h = Header.decode(op.headerBytes());
        assertThat(h.logId()).isEqualTo(LogId.forTopic(topic));
        assertThat(h.prune()).isTrue();
        assertThat(((CborValue.Map) h.extensions().orElseThrow()).get("app")).contains(CborValue.of("x"));
        // keys in canonical order: "app" (63…), "prune" (65…), "log_id" (66…)
        byte[] ext = h.extensionsBytes().orElseThrow();
        assertThat(ext[0] & 0xFF).isEqualTo(0xA3);
        assertThat(new String(ext, 2, 3, StandardCharsets.UTF_8)).isEqualTo("app");
        Operation.decodeAndValidate(op.headerBytes(), BODY);

        Operation plain = Operation.builder(KEY).build();
        assertThat(plain.logId()).isEqualTo(LogId.EMPTY);
        assertThat(plain.header().extensions()).isEmpty();
    }

    @Test
    void extensionsInAnyKeyOrderVerifyOverTheOriginalBytes() {
        // a p2panda app may write its extension struct with keys in declaration order
        CborWriter w = new CborWriter().writeMapHeader(2).writeText("log_id").writeBytes(new byte[] {5})
                .writeText("prune").writeBoolean(false);
        byte[] ext = w.toByteArray();
        byte[] unsigned = new CborWriter().writeArrayHeader(7).writeUnsigned(1).writeBytes(KEY.publicKey().bytes())
                .writeUnsigned(0).writeUnsigned(0).writeUnsigned(0).writeArrayHeader(0).writeEncoded(ext, 0, ext.length)
                .toByteArray();
        byte[] sig = KEY.sign(unsigned).bytes();
        byte[] signed = new CborWriter().writeArrayHeader(8).writeUnsigned(1).writeBytes(KEY.publicKey().bytes())
                .writeBytes(sig).writeUnsigned(0).writeUnsigned(0).writeUnsigned(0).writeArrayHeader(0)
                .writeEncoded(ext, 0, ext.length).toByteArray();
        Operation op = Operation.decodeAndValidate(signed, null);
        assertThat(op.logId()).isEqualTo(LogId.of(new byte[] {5}));
        assertThat(op.header().prune()).isFalse();
        assertThat(op.headerBytes()).isEqualTo(signed);
        assertThat(op.id()).isEqualTo(Hash.of(signed));
    }

    @Test
    void malformedStandardExtensionsAreDecodeErrors() {
        for (CborValue ext : List.of(CborValue.map(CborValue.of("log_id"), CborValue.of("text")),
                CborValue.map(CborValue.of("prune"), CborValue.of(1)),
                CborValue.map(CborValue.of("log_id"), CborValue.of(new byte[256])))) {
            byte[] e = CborWriter.encode(ext);
            byte[] bytes = new CborWriter().writeArrayHeader(7).writeUnsigned(1).writeBytes(KEY.publicKey().bytes())
                    .writeUnsigned(0).writeUnsigned(0).writeUnsigned(0).writeArrayHeader(0).writeEncoded(e, 0, e.length)
                    .toByteArray();
            assertThat(kindOf(bytes, null)).isEqualTo(OperationError.DECODE);
        }
    }

    @Test
    void structuralDecodeErrors() {
        byte[] good = signed(KEY, 1, 0, null, 0, null);
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
        assertThat(kindOf(truncated, null)).isEqualTo(OperationError.DECODE);
        byte[] trailing = java.util.Arrays.copyOf(good, good.length + 1);
        assertThat(kindOf(trailing, null)).isEqualTo(OperationError.DECODE);
        // seq_num above 2^63-1
        byte[] hugeSeq = new CborWriter().writeArrayHeader(6).writeUnsigned(1).writeBytes(KEY.publicKey().bytes())
                .writeUnsigned(0).writeUnsigned(0).writeUnsigned(-1L).writeArrayHeader(0).toByteArray();
        assertThat(kindOf(hugeSeq, null)).isEqualTo(OperationError.DECODE);
        // two elements after previous
        byte[] extra = new CborWriter().writeArrayHeader(8).writeUnsigned(1).writeBytes(KEY.publicKey().bytes())
                .writeUnsigned(0).writeUnsigned(0).writeUnsigned(0).writeArrayHeader(0).writeNull().writeNull().toByteArray();
        assertThat(kindOf(extra, null)).isEqualTo(OperationError.DECODE);
        // an array too short for its required elements
        byte[] shortArray = new CborWriter().writeArrayHeader(6).writeUnsigned(1).writeBytes(KEY.publicKey().bytes())
                .writeBytes(new byte[64]).writeUnsigned(0).writeUnsigned(0).writeUnsigned(0).toByteArray();
        assertThat(kindOf(shortArray, null)).isEqualTo(OperationError.DECODE);
        assertThatThrownBy(() -> Header.decode(new byte[0])).isInstanceOfSatisfying(InvalidOperationException.class,
                e -> assertThat(e.getCause()).isInstanceOf(CborException.class));
    }

    @Test
    void unsignedBytesAreTheCanonicalEncodingWithoutTheSignature() {
        Operation op = Operation.builder(KEY).seqNum(3).backlink(Hash.of(new byte[] {1}))
                .previous(List.of(Hash.of(new byte[] {2}), Hash.of(new byte[] {3}))).logId(LogId.of(new byte[] {4}))
                .body(BODY).timestamp(1_700_000_000_000_000L).build();
        Header h = op.header();
        Header reencoded = Header.encode(h.version(), h.publicKey(), null, h.payloadSize(), h.payloadHash().orElse(null),
                h.timestamp(), h.seqNum(), h.backlink().orElse(null), h.previous(), h.extensions().orElse(null));
        assertThat(h.unsignedBytes()).isEqualTo(reencoded.bytes());
        // inserting the signature into the unsigned bytes gives the canonical signed encoding
        Header fullEncode = Header.encode(h.version(), h.publicKey(), h.signature().orElseThrow(), h.payloadSize(),
                h.payloadHash().orElse(null), h.timestamp(), h.seqNum(), h.backlink().orElse(null), h.previous(),
                h.extensions().orElse(null));
        assertThat(op.headerBytes()).isEqualTo(fullEncode.bytes());
        Header v300 = Header.encode(300, KEY.publicKey(), null, 0, null, 0, 0, null, List.of(), null);
        Signature sig = KEY.sign(v300.bytes());
        assertThat(v300.withSignature(sig).bytes())
                .isEqualTo(Header.encode(300, KEY.publicKey(), sig, 0, null, 0, 0, null, List.of(), null).bytes());
        assertThat(Header.decode(v300.withSignature(sig).bytes()).unsignedBytes()).isEqualTo(v300.bytes());
        assertThat(Header.decode(op.headerBytes()).bytes()).isEqualTo(op.headerBytes());
    }
}
