package dev.pando;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CborTest {
    static final HexFormat HEX = HexFormat.of();

    static CborException.Kind kindOf(String hex) {
        try {
            CborReader r = new CborReader(HEX.parseHex(hex));
            r.readValue();
            r.expectEnd();
        } catch (CborException e) {
            return e.kind();
        }
        throw new AssertionError("accepted " + hex);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // non-shortest heads
        "1817, NON_CANONICAL",
        "190017, NON_CANONICAL",
        "1900ff, NON_CANONICAL",
        "1a0000ffff, NON_CANONICAL",
        "1b00000000ffffffff, NON_CANONICAL",
        "5801ff, NON_CANONICAL",
        "9800, NON_CANONICAL",
        "b800, NON_CANONICAL",
        // indefinite lengths
        "5fff, INDEFINITE_LENGTH",
        "7fff, INDEFINITE_LENGTH",
        "9fff, INDEFINITE_LENGTH",
        "bfff, INDEFINITE_LENGTH",
        // truncation and lengths beyond the input
        "'', TRUNCATED",
        "18, TRUNCATED",
        "1b0000, TRUNCATED",
        "430102, TRUNCATED",
        "5bffffffffffffffff, TRUNCATED",
        "5a7fffffff00, TRUNCATED",
        "9a7fffffff, TRUNCATED",
        "bbffffffffffffffff, TRUNCATED",
        "8201, TRUNCATED",
        // trailing bytes
        "0000, TRAILING_BYTES",
        "80ff, TRAILING_BYTES",
        // unsupported types
        "20, UNSUPPORTED_TYPE",
        "c000, UNSUPPORTED_TYPE",
        "f93c00, UNSUPPORTED_TYPE",
        "fb3ff0000000000000, UNSUPPORTED_TYPE",
        "f7, UNSUPPORTED_TYPE",
        "f820, UNSUPPORTED_TYPE",
        // malformed
        "1c, MALFORMED",
        "ff, MALFORMED",
        "1f, MALFORMED",
        // invalid UTF-8
        "62c328, INVALID_UTF8",
        "63eda080, INVALID_UTF8",
        // duplicate keys
        "a2616101616102, DUPLICATE_KEY",
    })
    void rejectsWithTypedErrors(String hex, CborException.Kind kind) {
        assertThat(kindOf(hex)).isEqualTo(kind);
    }

    @Test
    void rejectsNestingDeeperThanTheBound() {
        String deep = "81".repeat(CborReader.MAX_DEPTH + 1) + "00";
        assertThat(kindOf(deep)).isEqualTo(CborException.Kind.TOO_DEEP);
        String ok = "81".repeat(CborReader.MAX_DEPTH) + "00";
        CborReader r = new CborReader(HEX.parseHex(ok));
        r.readValue();
        r.expectEnd();
    }

    @Test
    void hugeClaimedLengthsAllocateNothing() {
        // a 4 GiB byte string, a 2^31-element array and map claimed in a few bytes: rejected at once
        for (String hex : List.of("5affffffff", "9a80000000", "ba80000000", "7bffffffffffffffff")) {
            assertThat(kindOf(hex)).isEqualTo(CborException.Kind.TRUNCATED);
        }
    }

    @Test
    void typedReadersRejectWrongTypesAndLengths() {
        assertThatThrownBy(() -> new CborReader(HEX.parseHex("4100")).readUnsigned())
                .isInstanceOfSatisfying(CborException.class, e -> assertThat(e.kind()).isEqualTo(CborException.Kind.WRONG_TYPE));
        assertThatThrownBy(() -> new CborReader(HEX.parseHex("4100")).readBytes(32))
                .isInstanceOfSatisfying(CborException.class, e -> assertThat(e.kind()).isEqualTo(CborException.Kind.WRONG_LENGTH));
        assertThatThrownBy(() -> new CborReader(HEX.parseHex("1bffffffffffffffff")).readLong())
                .isInstanceOfSatisfying(CborException.class, e -> assertThat(e.kind()).isEqualTo(CborException.Kind.OUT_OF_RANGE));
        assertThat(new CborReader(HEX.parseHex("1bffffffffffffffff")).readUnsigned()).isEqualTo(-1L);
        assertThatThrownBy(() -> new CborReader(HEX.parseHex("f6")).readBoolean())
                .isInstanceOfSatisfying(CborException.class, e -> assertThat(e.kind()).isEqualTo(CborException.Kind.WRONG_TYPE));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "0, 00", "23, 17", "24, 1818", "255, 18ff", "256, 190100", "65535, 19ffff", "65536, 1a00010000",
        "4294967295, 1affffffff", "4294967296, 1b0000000100000000", "-1, 1bffffffffffffffff",
    })
    void integersUseShortestHeads(long value, String hex) {
        assertThat(HEX.formatHex(new CborWriter().writeUnsigned(value).toByteArray())).isEqualTo(hex);
        assertThat(new CborReader(HEX.parseHex(hex)).readUnsigned()).isEqualTo(value);
    }

    @Test
    void mapsAreWrittenInCanonicalKeyOrderAndReadInAnyOrder() {
        CborValue m = CborValue.map(CborValue.of("log_id"), CborValue.of(new byte[] {1}),
                CborValue.of("prune"), CborValue.of(true));
        // "prune" (65 70…) sorts before "log_id" (66 6c…): shorter encodings first
        assertThat(HEX.formatHex(CborWriter.encode(m))).isEqualTo("a2657072756e65f5666c6f675f69644101");
        CborValue reversed = new CborReader(HEX.parseHex("a2666c6f675f69644101657072756e65f5")).readValue();
        assertThat(reversed).isEqualTo(m);
        assertThat(((CborValue.Map) reversed).get("prune")).contains(CborValue.of(true));
    }

    @Test
    void readsEveryKindBack() {
        CborValue v = CborValue.array(CborValue.of(7), CborValue.of(new byte[] {1, 2}), CborValue.of("ü"),
                CborValue.of(false), CborValue.Null.INSTANCE, new CborValue.Map(Map.of(CborValue.of(1), CborValue.array())));
        byte[] enc = CborWriter.encode(v);
        CborReader r = new CborReader(enc);
        assertThat(r.readValue()).isEqualTo(v);
        r.expectEnd();
    }
}
