package dev.pando;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

class OperationPropertiesTest {
    static final PrivateKey KEY = PrivateKey.generate();

    record Fields(long seq, long timestamp, Optional<byte[]> body, List<Hash> previous, byte[] logId, boolean prune) {
    }

    @Provide
    Arbitrary<Fields> fields() {
        Arbitrary<Hash> hashes = Arbitraries.bytes().array(byte[].class).ofSize(32).map(Hash::fromBytes);
        return Combinators.combine(
                Arbitraries.oneOf(Arbitraries.longs().between(0, 3), Arbitraries.longs().between(0, Long.MAX_VALUE)),
                Arbitraries.longs(),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300).optional(),
                hashes.list().ofMaxSize(4),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
                Arbitraries.of(true, false)).as(Fields::new);
    }

    @Property(tries = 500)
    void builtOperationsDecodeToTheSameFieldsAndBytes(@ForAll("fields") Fields f) {
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
    }

    @Property(tries = 3000)
    void arbitraryBytesGiveAValidOperationOrATypedError(@ForAll @Size(max = 400) byte[] bytes) {
        try {
            Operation.decodeAndValidate(bytes, null);
        } catch (InvalidOperationException e) {
            assertThat(e.kind()).isNotNull();
        }
    }
}
