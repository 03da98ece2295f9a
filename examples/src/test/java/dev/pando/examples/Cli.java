package dev.pando.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;

/** Runs the command line in-process with captured streams. */
final class Cli {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Cli() {
    }

    /** The outcome of one run. */
    record Result(int exit, String out, String err) {
        /** stdout parsed as exactly one JSON object on one line. */
        JsonNode json() {
            if (!out.endsWith("\n") || out.indexOf('\n') != out.length() - 1) {
                throw new AssertionError("stdout is not one line: <" + out + ">");
            }
            try {
                JsonNode node = MAPPER.readTree(out);
                if (!node.isObject()) {
                    throw new AssertionError("stdout is not a JSON object: " + out);
                }
                return node;
            } catch (IOException e) {
                throw new UncheckedIOException("stdout is not JSON: " + out, e);
            }
        }

        String field(String name) {
            JsonNode v = json().get(name);
            if (v == null) {
                throw new AssertionError("no field " + name + " in " + out);
            }
            return v.asText();
        }
    }

    static Result run(String... args) {
        return runWithStdin(new ByteArrayInputStream(new byte[0]), args);
    }

    static Result runWithStdin(String stdin, String... args) {
        return runWithStdin(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), args);
    }

    /** Runs with the given provider registry instead of the one the module path gives. */
    static Result runWithProviders(java.util.function.Supplier<dev.pando.node.ProviderRegistry> registries, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Pando.run(args, new ByteArrayInputStream(new byte[0]), ShutdownHooks.JVM, registries, out, err);
        return new Result(code, out.toString(), err.toString());
    }

    static Result runWithStdin(InputStream stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Pando.run(args, stdin, out, err);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * Runs with a stdout that fails like {@code /dev/full}: every write throws. The result's
     * {@code out} is what was written before nothing could be (always empty here).
     */
    static Result runWithFullStdout(String... args) {
        StringWriter err = new StringWriter();
        Writer full = new Writer() {
            @Override
            public void write(char[] cbuf, int off, int len) throws IOException {
                throw new IOException("No space left on device");
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        int code = Pando.run(args, new ByteArrayInputStream(new byte[0]), full, err);
        return new Result(code, "", err.toString());
    }

    static JsonNode vectors() {
        try (InputStream in = Cli.class.getResourceAsStream("operations-p2panda-0.3.json")) {
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
