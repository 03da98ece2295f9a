package dev.pando.examples;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.pando.CborValue;
import dev.pando.PandoException;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Writes the one JSON object a command prints: fields in the order they are added, on one line,
 * followed by a newline. Every command (and every later one) writes its result through this class,
 * so the output conventions live in one place: hashes, keys and bytes as lowercase hex, absent
 * values as {@code null}, unsigned 64-bit integers as unsigned decimal numbers.
 */
final class JsonOut implements AutoCloseable {
    private static final JsonFactory FACTORY = JsonFactory.builder().build();
    private static final HexFormat HEX = HexFormat.of();
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    private final JsonGenerator gen;
    private final PrintWriter out;
    private boolean closed;

    private JsonOut(PrintWriter out) {
        this.out = out;
        try {
            // the generator must not close or flush-through System.out; close() below ends the line
            this.gen = FACTORY.createGenerator(out)
                    .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            gen.writeStartObject();
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** Starts a JSON object on {@code out}; {@link #close()} ends it. */
    static JsonOut object(PrintWriter out) {
        return new JsonOut(out);
    }

    /** A text field; {@code null} writes JSON null. */
    JsonOut string(String name, String value) {
        try {
            gen.writeFieldName(name);
            if (value == null) {
                gen.writeNull();
            } else {
                gen.writeString(value);
            }
            return this;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** A signed 64-bit number field. */
    JsonOut number(String name, long value) {
        try {
            gen.writeNumberField(name, value);
            return this;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** An unsigned 64-bit number field: values above 2^63-1 are printed as such, not as negatives. */
    JsonOut unsigned(String name, long value) {
        try {
            gen.writeFieldName(name);
            writeUnsigned(value);
            return this;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    JsonOut bool(String name, boolean value) {
        try {
            gen.writeBooleanField(name, value);
            return this;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** An array of strings. */
    JsonOut strings(String name, List<String> values) {
        try {
            gen.writeArrayFieldStart(name);
            for (String v : values) {
                gen.writeString(v);
            }
            gen.writeEndArray();
            return this;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** An array of objects, each written by {@code fields} with this writer's field methods. */
    <T> JsonOut objects(String name, List<T> items, java.util.function.BiConsumer<JsonOut, T> fields) {
        try {
            gen.writeArrayFieldStart(name);
            for (T item : items) {
                gen.writeStartObject();
                fields.accept(this, item);
                gen.writeEndObject();
            }
            gen.writeEndArray();
            return this;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** A decimal number field, rounded to {@code scale} digits after the point. */
    JsonOut decimal(String name, double value, int scale) {
        try {
            gen.writeFieldName(name);
            gen.writeNumber(BigDecimal.valueOf(value).setScale(scale, RoundingMode.HALF_EVEN));
            return this;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** An array of decimal numbers, each rounded to {@code scale} digits after the point. */
    JsonOut decimals(String name, List<Double> values, int scale) {
        try {
            gen.writeArrayFieldStart(name);
            for (double v : values) {
                gen.writeNumber(BigDecimal.valueOf(v).setScale(scale, RoundingMode.HALF_EVEN));
            }
            gen.writeEndArray();
            return this;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** An object of counters, {@code {name: count}}, in the map's iteration order. */
    JsonOut counts(String name, Map<String, Long> counts) {
        try {
            gen.writeObjectFieldStart(name);
            for (Map.Entry<String, Long> e : counts.entrySet()) {
                gen.writeNumberField(e.getKey(), e.getValue());
            }
            gen.writeEndObject();
            return this;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /**
     * A CBOR data item as JSON; {@code null} writes JSON null. Maps whose keys are all text become
     * objects, other maps an array of {@code [key, value]} pairs; byte strings become hex strings,
     * unsigned integers numbers, text strings strings, booleans and null themselves.
     */
    JsonOut cbor(String name, CborValue value) {
        try {
            gen.writeFieldName(name);
            if (value == null) {
                gen.writeNull();
            } else {
                writeCbor(value);
            }
            return this;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** Ends the object and the line, and flushes. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            gen.writeEndObject();
            gen.close();
        } catch (IOException e) {
            throw failed(e);
        }
        out.println();
        out.flush();
    }

    private void writeUnsigned(long value) throws IOException {
        if (value >= 0) {
            gen.writeNumber(value);
        } else {
            gen.writeNumber(BigInteger.valueOf(value).add(TWO_TO_64));
        }
    }

    // depth is bounded: CborReader refuses items nested deeper than CborReader.MAX_DEPTH
    private void writeCbor(CborValue value) throws IOException {
        if (value instanceof CborValue.UInt u) {
            writeUnsigned(u.value());
        } else if (value instanceof CborValue.Bytes b) {
            gen.writeString(HEX.formatHex(b.value()));
        } else if (value instanceof CborValue.Text t) {
            gen.writeString(t.value());
        } else if (value instanceof CborValue.Bool b) {
            gen.writeBoolean(b.value());
        } else if (value instanceof CborValue.Null) {
            gen.writeNull();
        } else if (value instanceof CborValue.Array a) {
            gen.writeStartArray();
            for (CborValue item : a.items()) {
                writeCbor(item);
            }
            gen.writeEndArray();
        } else if (value instanceof CborValue.Map m) {
            writeMap(m.entries());
        } else {
            throw new IllegalStateException("unknown CBOR value " + value.getClass());
        }
    }

    private void writeMap(Map<CborValue, CborValue> entries) throws IOException {
        boolean textKeys = entries.keySet().stream().allMatch(k -> k instanceof CborValue.Text);
        if (textKeys) {
            gen.writeStartObject();
            for (Map.Entry<CborValue, CborValue> e : entries.entrySet()) {
                gen.writeFieldName(((CborValue.Text) e.getKey()).value());
                writeCbor(e.getValue());
            }
            gen.writeEndObject();
        } else {
            gen.writeStartArray();
            for (Map.Entry<CborValue, CborValue> e : entries.entrySet()) {
                gen.writeStartArray();
                writeCbor(e.getKey());
                writeCbor(e.getValue());
                gen.writeEndArray();
            }
            gen.writeEndArray();
        }
    }

    private static PandoException failed(IOException e) {
        return new PandoException("cannot write the JSON output: " + e.getMessage(), e);
    }
}
