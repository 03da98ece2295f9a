package dev.pando;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Operations over seeded random fields and bytes ({@link Trials}: a failure names its seed). */
class OperationPropertiesTest {
    static final PrivateKey KEY = PrivateKey.generate();

    record Fields(long seq, long timestamp, Optional<byte[]> body, List<Hash> previous, byte[] logId, boolean prune) {
    }

    static Fields fields(Random random) {
        long seq = random.nextBoolean() ? random.nextInt(4) : random.nextLong() & Long.MAX_VALUE;
        long timestamp = CborPropertiesTest.anyLong(random);
        Optional<byte[]> body = random.nextInt(4) == 0 ? Optional.empty() : Optional.of(CborPropertiesTest.bytes(random, 300));
        List<Hash> previous = new ArrayList<>();
        for (int i = random.nextInt(5); i > 0; i--) {
            byte[] h = new byte[32];
            random.nextBytes(h);
            previous.add(Hash.fromBytes(h));
        }
        return new Fields(seq, timestamp, body, previous, CborPropertiesTest.bytes(random, 40), random.nextBoolean());
    }

    @Test
    void builtOperationsDecodeToTheSameFieldsAndBytes() {
        Trials.run(500, random -> {
            Fields f = fields(random);
            OperationBuilder b = Operation.builder(KEY).seqNum(f.seq()).timestamp(f.timestamp()).previous(f.previous())
                    .logId(LogId.of(f.logId())).prune(f.prune());
            if (f.seq() > 0) {
                b.backlink(Hash.of(new byte[] {(byte) f.seq()}));
            }
            f.body().ifPresent(b::body);
            Operation built = b.build();
            Operation decoded = Operation.decodeAndValidate(built.headerBytes(), f.body().orElse(null));
            Header h = decoded.header();
            assertThat(decoded.id()).isEqualTo(built.id());
            assertThat(h.bytes()).isEqualTo(built.headerBytes());
            assertThat(h.seqNum()).isEqualTo(f.seq());
            assertThat(h.timestamp()).isEqualTo(f.timestamp());
            assertThat(h.previous()).isEqualTo(f.previous());
            assertThat(h.logId()).isEqualTo(LogId.of(f.logId()));
            assertThat(h.prune()).isEqualTo(f.prune());
            assertThat(h.payloadSize()).isEqualTo(f.body().map(x -> (long) x.length).orElse(0L));
            assertThat(h.publicKey()).isEqualTo(KEY.publicKey());
        });
    }

    @Test
    void arbitraryBytesGiveAValidOperationOrATypedError() {
        Operation valid = Operation.builder(KEY).logId(LogId.fromHex("01")).timestamp(7).body(new byte[] {1, 2})
                .previous(List.of(Hash.of(new byte[] {3}))).build();
        byte[] header = valid.headerBytes();
        Trials.run(3000, random -> {
            byte[] bytes;
            if (random.nextBoolean()) {
                bytes = CborPropertiesTest.bytes(random, 400);
            } else {
                // a real header with a few bytes changed and perhaps cut short: gets past the first checks
                bytes = header.clone();
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                if (random.nextInt(4) == 0) {
                    bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
                }
            }
            try {
                Operation.decodeAndValidate(bytes, null);
            } catch (InvalidOperationException e) {
                assertThat(e.kind()).isNotNull();
            }
        });
    }
}
