package dev.pando.examples;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.pando.node.IngestInput;
import dev.pando.spi.RawOperation;
import java.io.IOException;
import java.nio.CharBuffer;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The JSON-lines form of operations used by {@code store import} and {@code store export}: one
 * object per line, {@code {"header": hex, "body": hex|null}}. {@code body} may also be left out.
 */
final class OperationLines {
    // no separator between root values: export ends each object with its own newline
    private static final JsonFactory FACTORY = new JsonFactoryBuilder().rootValueSeparator((String) null).build();
    private static final HexFormat HEX = HexFormat.of();

    private OperationLines() {
    }

    /** Parses one line. */
    static IngestInput parse(byte[] line) {
        return parse(line, 0, line.length);
    }

    /**
     * Parses one line, {@code length} bytes of {@code buf} from {@code offset}.
     *
     * @throws InvalidInputException if it is not exactly one such object (not JSON, truncated,
     *     a field of the wrong type or not hex, no header, trailing content)
     */
    static IngestInput parse(byte[] buf, int offset, int length) {
        try (JsonParser p = FACTORY.createParser(buf, offset, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidInputException("a line must be a JSON object");
            }
            byte[] header = null;
            byte[] body = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("header")) {
                    if (v != JsonToken.VALUE_STRING) {
                        throw new InvalidInputException("header must be a hex string");
                    }
                    header = hex(p, "header");
                } else if (name.equals("body")) {
                    if (v == JsonToken.VALUE_STRING) {
                        body = hex(p, "body");
                    } else if (v != JsonToken.VALUE_NULL) {
                        throw new InvalidInputException("body must be a hex string or null");
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new InvalidInputException("the JSON object is not complete");
            }
            if (p.nextToken() != null) {
                throw new InvalidInputException("content after the JSON object");
            }
            if (header == null) {
                throw new InvalidInputException("the line has no header");
            }
            return new IngestInput(header, Optional.ofNullable(body));
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read the line: " + e.getMessage(), e);
        }
    }

    /** The current string token as hex, read from the parser's buffer (a long line makes no String copy). */
    private static byte[] hex(JsonParser p, String field) throws IOException {
        char[] chars = p.getTextCharacters();
        try {
            return HEX.parseHex(CharBuffer.wrap(chars, p.getTextOffset(), p.getTextLength()));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(field + " is not hex");
        }
    }

    /** Writes one operation as one line. */
    static void write(JsonGenerator gen, RawOperation op) throws IOException {
        gen.writeStartObject();
        gen.writeStringField("header", HEX.formatHex(op.header()));
        gen.writeFieldName("body");
        if (op.body().isPresent()) {
            gen.writeString(HEX.formatHex(op.body().get()));
        } else {
            gen.writeNull();
        }
        gen.writeEndObject();
        gen.writeRaw('\n');
    }

    static JsonGenerator generator(java.io.Writer out) throws IOException {
        return FACTORY.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }
}
