package dev.pando;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Round trips of the CBOR codec, and a cross-check against an independent implementation
 * (Jackson's CBOR parser) in test scope.
 */
class CborPropertiesTest {
    static final CBORMapper JACKSON = new CBORMapper();

    @Provide
    Arbitrary<CborValue> values() {
        return value(4);
    }

    static Arbitrary<CborValue> value(int depth) {
        Arbitrary<CborValue> leaf = Arbitraries.oneOf(
                Arbitraries.longs().map(CborValue.UInt::new),
                Arbitraries.longs().between(0, 100_000).map(CborValue.UInt::new),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(70).map(CborValue.Bytes::new),
                Arbitraries.strings().ofMaxLength(40).map(CborValue.Text::new),
                Arbitraries.of(true, false).map(CborValue.Bool::new),
                Arbitraries.just(CborValue.Null.INSTANCE));
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<CborValue> array = value(depth - 1).list().ofMaxSize(5).map(CborValue.Array::new);
        Arbitrary<CborValue> map = Arbitraries.maps(Arbitraries.strings().ofMaxLength(10).map(CborValue.Text::new),
                value(depth - 1)).ofMaxSize(5).map(m -> new CborValue.Map(new LinkedHashMap<>(m)));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, leaf), net.jqwik.api.Tuple.of(2, array), net.jqwik.api.Tuple.of(2, map));
    }

    @Property(tries = 1000)
    void encodeDecodeRoundTrips(@ForAll("values") CborValue value) {
        byte[] encoded = CborWriter.encode(value);
        CborReader reader = new CborReader(encoded);
        CborValue decoded = reader.readValue();
        reader.expectEnd();
        assertThat(decoded).isEqualTo(value);
        assertThat(CborWriter.encode(decoded)).isEqualTo(encoded);
    }

    @Property(tries = 1000)
    void jacksonReadsWhatWeWrite(@ForAll("values") CborValue value) throws IOException {
        JsonNode theirs = JACKSON.readTree(CborWriter.encode(value));
        assertThat(sameValue(value, theirs)).as("%s vs %s", value, theirs).isTrue();
    }

    @Property(tries = 1000)
    void weReadJacksonsShortestIntegersAndStrings(@ForAll long n, @ForAll byte[] bytes, @ForAll String text) throws IOException {
        // Jackson writes shortest integer heads and definite-length strings: our strict reader accepts them
        long nonNegative = n & Long.MAX_VALUE;
        assertThat(new CborReader(JACKSON.writeValueAsBytes(nonNegative)).readUnsigned()).isEqualTo(nonNegative);
        assertThat(new CborReader(JACKSON.writeValueAsBytes(bytes)).readBytes()).isEqualTo(bytes);
        assertThat(new CborReader(JACKSON.writeValueAsBytes(text)).readText()).isEqualTo(text);
        assertThat(new CborWriter().writeUnsigned(nonNegative).toByteArray()).isEqualTo(JACKSON.writeValueAsBytes(nonNegative));
    }

    static boolean sameValue(CborValue ours, JsonNode theirs) {
        if (ours instanceof CborValue.UInt u) {
            return theirs.isIntegralNumber() && theirs.bigIntegerValue().equals(new java.math.BigInteger(Long.toUnsignedString(u.value())));
        } else if (ours instanceof CborValue.Bytes b) {
            try {
                return theirs.isBinary() && java.util.Arrays.equals(theirs.binaryValue(), b.value());
            } catch (IOException e) {
                return false;
            }
        } else if (ours instanceof CborValue.Text t) {
            return theirs.isTextual() && theirs.textValue().equals(t.value());
        } else if (ours instanceof CborValue.Bool b) {
            return theirs.isBoolean() && theirs.booleanValue() == b.value();
        } else if (ours instanceof CborValue.Null) {
            return theirs.isNull();
        } else if (ours instanceof CborValue.Array a) {
            if (!theirs.isArray() || theirs.size() != a.items().size()) {
                return false;
            }
            for (int i = 0; i < a.items().size(); i++) {
                if (!sameValue(a.items().get(i), theirs.get(i))) {
                    return false;
                }
            }
            return true;
        } else if (ours instanceof CborValue.Map m) {
            if (!theirs.isObject() || theirs.size() != m.entries().size()) {
                return false;
            }
            for (Map.Entry<CborValue, CborValue> e : m.entries().entrySet()) {
                JsonNode v = theirs.get(((CborValue.Text) e.getKey()).value());
                if (v == null || !sameValue(e.getValue(), v)) {
                    return false;
                }
            }
            // canonical order: Jackson sees the fields in the order we wrote them
            List<String> order = new ArrayList<>();
            theirs.fieldNames().forEachRemaining(order::add);
            List<String> sorted = new ArrayList<>(order);
            sorted.sort((x, y) -> java.util.Arrays.compareUnsigned(CborWriter.encode(CborValue.of(x)), CborWriter.encode(CborValue.of(y))));
            return order.equals(sorted);
        }
        return false;
    }
}
