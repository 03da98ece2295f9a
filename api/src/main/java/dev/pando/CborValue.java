package dev.pando;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;

/**
 * A CBOR data item of the kinds Pando uses: unsigned integers, byte strings, text strings, arrays,
 * maps, booleans and null. Values are immutable. {@link CborWriter#write(CborValue)} encodes them
 * canonically (map keys sorted by their encoded bytes, RFC 8949 §4.2.1).
 */
public sealed interface CborValue {

    /** An unsigned integer; {@code value} holds the 64 bits, to be read with unsigned semantics. */
    record UInt(long value) implements CborValue {
        @Override
        public String toString() {
            return Long.toUnsignedString(value);
        }
    }

    /** A byte string. */
    final class Bytes implements CborValue {
        private final byte[] value;

        public Bytes(byte[] value) {
            this.value = value.clone();
        }

        static Bytes wrap(byte[] value) {
            return new Bytes(value, false);
        }

        private Bytes(byte[] value, boolean copy) {
            this.value = copy ? value.clone() : value;
        }

        public byte[] value() {
            return value.clone();
        }

        public int length() {
            return value.length;
        }

        byte[] unsafeValue() {
            return value;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Bytes b && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "h'" + HexFormat.of().formatHex(value) + "'";
        }
    }

    /** A text string. */
    record Text(String value) implements CborValue {
        public Text {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return '"' + value + '"';
        }
    }

    /** An array. */
    record Array(List<CborValue> items) implements CborValue {
        public Array {
            items = List.copyOf(items);
        }
    }

    /**
     * A map. Entries keep the order they were given or decoded in; encoding sorts them canonically,
     * and two maps with the same entries in another order are equal.
     */
    record Map(java.util.Map<CborValue, CborValue> entries) implements CborValue {
        public Map {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        /** The value under a text key, if present. */
        public java.util.Optional<CborValue> get(String textKey) {
            return java.util.Optional.ofNullable(entries.get(new Text(textKey)));
        }
    }

    /** {@code true} or {@code false}. */
    record Bool(boolean value) implements CborValue {
    }

    /** The CBOR null value. */
    enum Null implements CborValue {
        INSTANCE
    }

    static CborValue of(long unsigned) {
        return new UInt(unsigned);
    }

    static CborValue of(byte[] bytes) {
        return new Bytes(bytes);
    }

    static CborValue of(String text) {
        return new Text(text);
    }

    static CborValue of(boolean b) {
        return new Bool(b);
    }

    static CborValue array(CborValue... items) {
        return new Array(new ArrayList<>(Arrays.asList(items)));
    }

    /** A map from alternating keys and values. */
    static CborValue map(CborValue... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must alternate");
        }
        java.util.Map<CborValue, CborValue> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (m.put(keysAndValues[i], keysAndValues[i + 1]) != null) {
                throw new IllegalArgumentException("duplicate key " + keysAndValues[i]);
            }
        }
        return new Map(m);
    }
}
