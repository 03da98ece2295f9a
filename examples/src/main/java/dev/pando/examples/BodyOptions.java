package dev.pando.examples;

import java.nio.charset.StandardCharsets;
import java.util.function.BiFunction;
import picocli.CommandLine.Option;

/** The body of an operation: {@code --body HEX} or {@code --body-utf8 TEXT} (one exclusive group). */
final class BodyOptions {
    @Option(names = "--body", paramLabel = "HEX", description = "The body (payload) as hex.")
    String hex;

    @Option(names = "--body-utf8", paramLabel = "TEXT", description = "The body (payload) as UTF-8 text.")
    String utf8;

    /** The body bytes; {@code hexParser} turns hex into bytes and decides the error for bad hex. */
    byte[] bytes(BiFunction<String, String, byte[]> hexParser) {
        return hex != null ? hexParser.apply("--body", hex) : utf8.getBytes(StandardCharsets.UTF_8);
    }
}
