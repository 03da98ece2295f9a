package dev.pando;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Round trips of the CBOR codec, and a cross-check against an independent implementation
 * (Jackson's CBOR parser) in test scope, over seeded random values ({@link Trials}: a failure
 * names its seed).
 */
class CborPropertiesTest {
    static final CBORMapper JACKSON = new CBORMapper();
    private static final int TRIES = 1000;
    private static final long[] EDGE_LONGS = {0, 1, 23, 24, 255, 256, 65_535, 65_536, 0xFFFF_FFFFL, 0x1_0000_0000L,
        Long.MAX_VALUE, Long.MIN_VALUE, -1};

    /** A random value nested at most {@code depth} deep: leaves 60 %, arrays 20 %, maps 20 %. */
    static CborValue value(Random random, int depth) {
        int pick = random.nextInt(10);
        if (depth == 0 || pick < 6) {
            return leaf(random);
        }
        if (pick < 8) {
            List<CborValue> items = new ArrayList<>();
            for (int i = random.nextInt(6); i > 0; i--) {
                items.add(value(random, depth - 1));
            }
            return new CborValue.Array(items);
        }
        Map<CborValue, CborValue> entries = new LinkedHashMap<>();
        for (int i = random.nextInt(6); i > 0; i--) {
            entries.put(new CborValue.Text(text(random, 10)), value(random, depth - 1));
        }
        return new CborValue.Map(entries);
    }

    static CborValue leaf(Random random) {
        switch (random.nextInt(6)) {
            case 0:
                return new CborValue.UInt(anyLong(random));
            case 1:
                return new CborValue.UInt(random.nextInt(100_001));
            case 2:
                return new CborValue.Bytes(bytes(random, 70));
            case 3:
                return new CborValue.Text(text(random, 40));
            case 4:
                return new CborValue.Bool(random.nextBoolean());
            default:
                return CborValue.Null.INSTANCE;
        }
    }

    /** Any long, with the edges of CBOR's integer heads (and 0, max, min, -1) one time in eight. */
    static long anyLong(Random random) {
        return random.nextInt(8) == 0 ? EDGE_LONGS[random.nextInt(EDGE_LONGS.length)] : random.nextLong();
    }

    /** Up to {@code max} random bytes, empty one time in ten. */
    static byte[] bytes(Random random, int max) {
        byte[] b = new byte[random.nextInt(10) == 0 ? 0 : random.nextInt(max + 1)];
        random.nextBytes(b);
        return b;
    }

    /**
     * Up to {@code max} code points from ASCII, Latin-1, the rest of the Basic Multilingual Plane
     * and the supplementary planes (never a lone surrogate, which UTF-8 cannot carry).
     */
    static String text(Random random, int max) {
        StringBuilder sb = new StringBuilder();
        for (int n = random.nextInt(10) == 0 ? 0 : random.nextInt(max + 1); n > 0; n--) {
            int cp;
            switch (random.nextInt(4)) {
                case 0:
                    cp = random.nextInt(0x80);
                    break;
                case 1:
                    cp = 0x80 + random.nextInt(0x780);
                    break;
                case 2:
                    cp = 0x800 + random.nextInt(0x10000 - 0x800);
                    break;
                default:
                    cp = 0x10000 + random.nextInt(0x110000 - 0x10000);
                    break;
            }
            if (Character.getType(cp) == Character.SURROGATE) {
                cp = 'x';
            }
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    @Test
    void encodeDecodeRoundTrips() {
        Trials.run(TRIES, random -> {
            CborValue value = value(random, 4);
            byte[] encoded = CborWriter.encode(value);
            CborReader reader = new CborReader(encoded);
            CborValue decoded = reader.readValue();
            reader.expectEnd();
            assertThat(decoded).isEqualTo(value);
            assertThat(CborWriter.encode(decoded)).isEqualTo(encoded);
        });
    }

    @Test
    void jacksonReadsWhatWeWrite() {
        Trials.run(TRIES, random -> {
            CborValue value = value(random, 4);
            JsonNode theirs = readTree(CborWriter.encode(value));
            assertThat(sameValue(value, theirs)).as("%s vs %s", value, theirs).isTrue();
        });
    }

    @Test
    void weReadJacksonsShortestIntegersAndStrings() {
        Trials.run(TRIES, random -> {
            // Jackson writes shortest integer heads and definite-length strings: our strict reader accepts them
            long nonNegative = anyLong(random) & Long.MAX_VALUE;
            byte[] bytes = bytes(random, 300);
            String text = text(random, 100);
            assertThat(new CborReader(write(nonNegative)).readUnsigned()).isEqualTo(nonNegative);
            assertThat(new CborReader(write(bytes)).readBytes()).isEqualTo(bytes);
            assertThat(new CborReader(write(text)).readText()).isEqualTo(text);
            assertThat(new CborWriter().writeUnsigned(nonNegative).toByteArray()).isEqualTo(write(nonNegative));
        });
    }

    private static JsonNode readTree(byte[] cbor) {
        try {
            return JACKSON.readTree(cbor);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] write(Object value) {
        try {
            return JACKSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
