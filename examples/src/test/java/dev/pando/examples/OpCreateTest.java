package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.Hash;
import dev.pando.Operation;
import dev.pando.node.IngestInput;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpCreateTest {
    static final JsonNode VECTORS = Cli.vectors();
    static final String KEY = VECTORS.get("key_pair").get("private_key").asText();
    static final String ID0 = VECTORS.get("headers").get(0).get("id").asText();

    @Test
    void reproducesTheP2pandaVectors() {
        JsonNode v0 = VECTORS.get("headers").get(0);
        JsonNode v1 = VECTORS.get("headers").get(1);

        Cli.Result first = Cli.run("op", "create", "--key-hex", KEY, "--timestamp", "0");
        assertThat(first.exit()).isZero();
        assertThat(first.json().size()).isEqualTo(3);
        assertThat(first.json().get("body").isNull()).isTrue();
        assertThat(first.field("header")).isEqualTo(v0.get("signed").asText());
        assertThat(first.field("id")).isEqualTo(v0.get("id").asText());

        Cli.Result second = Cli.run("op", "create", "--key-hex", KEY, "--timestamp", "0", "--seq", "1",
                "--backlink", first.field("id"));
        assertThat(second.exit()).isZero();
        assertThat(second.field("header")).isEqualTo(v1.get("signed").asText());
        assertThat(second.field("id")).isEqualTo(v1.get("id").asText());
    }

    @Test
    void theIdIsTheBlake3OfTheHeader() {
        Cli.Result r = Cli.run("op", "create", "--key-hex", KEY, "--body-utf8", "hello");
        assertThat(r.exit()).isZero();
        assertThat(Hash.of(HexFormat.of().parseHex(r.field("header"))).hex()).isEqualTo(r.field("id"));
    }

    @Test
    void theOutputIsALineStoreImportReads() {
        String[][] bodies = {{"--body-utf8", "hello"}, {"--body", "00ff"}, {"--body", ""}, {}};
        for (String[] body : bodies) {
            List<String> args = new ArrayList<>(List.of("op", "create", "--key-hex", KEY));
            args.addAll(List.of(body));
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            assertThat(r.exit()).as(args.toString()).isZero();
            IngestInput line = OperationLines.parse(r.out().strip().getBytes(StandardCharsets.UTF_8));
            assertThat(HexFormat.of().formatHex(line.header())).isEqualTo(r.field("header"));
            Operation op = Operation.decodeAndValidate(line.header(), line.body().orElse(null));
            assertThat(op.id().hex()).isEqualTo(r.field("id"));
            if (body.length == 0) {
                assertThat(line.body()).as(args.toString()).isEmpty();
            } else {
                assertThat(line.body()).as(args.toString()).isPresent();
            }
        }
    }

    @Test
    void aLogOfCreatedOperationsImports() {
        Cli.Result first = Cli.run("op", "create", "--key-hex", KEY, "--body-utf8", "hello");
        Cli.Result second = Cli.run("op", "create", "--key-hex", KEY, "--seq", "1", "--backlink", first.field("id"),
                "--body-utf8", "world");
        Cli.Result imported = Cli.runWithStdin(first.out() + second.out(), "store", "import", "--db", "unused",
                "--store", "memory");
        assertThat(imported.exit()).as(imported.out()).isZero();
        assertThat(imported.json().get("stored").asLong()).isEqualTo(2);
    }

    @Test
    void timestampDefaultsToNowInMicroseconds() {
        long before = micros(Instant.now().truncatedTo(ChronoUnit.MICROS));
        Cli.Result r = Cli.run("op", "create", "--key-hex", KEY);
        long after = micros(Instant.now().plus(1, ChronoUnit.MICROS));
        long ts = Operation.decode(HexFormat.of().parseHex(r.field("header")), null).header().timestamp();
        assertThat(ts).isBetween(before, after);
    }

    @Test
    void everyOptionEndsUpInTheHeader() {
        Hash p1 = Hash.of(new byte[] {1});
        Hash p2 = Hash.of(new byte[] {2});
        Cli.Result r = Cli.run("op", "create", "--key-hex", KEY, "--seq", "7", "--backlink", ID0.toUpperCase(),
                "--timestamp", "18446744073709551615", "--previous", p1.hex(), "--previous", p2.hex(),
                "--body", "00ff10", "--log-id", "cafe", "--prune");
        assertThat(r.exit()).isZero();
        Operation op = Operation.decodeAndValidate(HexFormat.of().parseHex(r.field("header")),
                new byte[] {0, (byte) 0xff, 0x10});
        assertThat(op.seqNum()).isEqualTo(7);
        assertThat(op.header().backlink()).contains(Hash.fromHex(ID0));
        assertThat(Long.toUnsignedString(op.header().timestamp())).isEqualTo("18446744073709551615");
        assertThat(op.header().previous()).containsExactly(p1, p2);
        assertThat(op.header().payloadSize()).isEqualTo(3);
        assertThat(op.logId().hex()).isEqualTo("cafe");
        assertThat(op.header().prune()).isTrue();
        assertThat(op.author().hex()).isEqualTo(VECTORS.get("key_pair").get("public_key").asText());
    }

    @Test
    void utf8BodyAndEmptyBody() {
        Cli.Result text = Cli.run("op", "create", "--key-hex", KEY, "--body-utf8", "grüße");
        Operation op = Operation.decode(HexFormat.of().parseHex(text.field("header")), null);
        assertThat(op.header().payloadSize()).isEqualTo("grüße".getBytes(java.nio.charset.StandardCharsets.UTF_8).length);

        Cli.Result empty = Cli.run("op", "create", "--key-hex", KEY, "--body", "");
        Operation none = Operation.decode(HexFormat.of().parseHex(empty.field("header")), null);
        assertThat(none.header().payloadSize()).isZero();
        assertThat(none.header().payloadHash()).isEmpty();
    }

    @Test
    void invalidOperationsAreExit1WithTheKind() {
        Cli.Result noBacklink = Cli.run("op", "create", "--key-hex", KEY, "--seq", "1");
        assertThat(noBacklink.exit()).isEqualTo(1);
        assertThat(noBacklink.json().get("valid").asBoolean(true)).isFalse();
        assertThat(noBacklink.field("error")).isEqualTo("BacklinkMissing");
        assertThat(noBacklink.field("message")).isNotBlank();

        Cli.Result seq0WithBacklink = Cli.run("op", "create", "--key-hex", KEY, "--backlink", ID0);
        assertThat(seq0WithBacklink.exit()).isEqualTo(1);
        assertThat(seq0WithBacklink.field("error")).isEqualTo("SeqNumMismatch");
    }

    @Test
    void badHexAndSizesAreInvalidInput() {
        String[][] cases = {
            {"--key-hex", "12"},
            {"--key-hex", KEY, "--seq", "1", "--backlink", "abc"},
            {"--key-hex", KEY, "--seq", "1", "--backlink", "abcd"},
            {"--key-hex", KEY, "--previous", "xyz"},
            {"--key-hex", KEY, "--body", "0"},
            {"--key-hex", KEY, "--log-id", "zz"},
            {"--key-hex", KEY, "--log-id", "00".repeat(256)},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("op", "create"));
            args.addAll(List.of(c));
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            assertThat(r.exit()).as(args.toString()).isEqualTo(1);
            assertThat(r.field("error")).as(args.toString()).isEqualTo("InvalidInput");
            assertThat(r.field("message")).as(args.toString()).startsWith(c[c.length - 2]);
        }
    }

    @Test
    void badHexIsDescribedInWordsNotJavaText() {
        Cli.Result letter = Cli.run("op", "create", "--key-hex", KEY, "--body", "0g");
        assertThat(letter.field("message")).isEqualTo("--body is not valid hex: character 2 ('g') is not a hex digit (0-9, a-f)");
        Cli.Result odd = Cli.run("op", "create", "--key-hex", KEY, "--backlink", "abc");
        assertThat(odd.field("message")).isEqualTo("--backlink is not valid hex: 3 hex digits, an odd number (two make a byte)");
        Cli.Result space = Cli.run("op", "create", "--key-hex", KEY, "--log-id", "00 1");
        assertThat(space.field("message")).contains("character 3 (U+0020)");
    }

    @Test
    void tooManyPreviousIsInvalidInput() {
        List<String> args = new ArrayList<>(List.of("op", "create", "--key-hex", KEY));
        for (int i = 0; i < 65; i++) {
            args.add("--previous");
            args.add(ID0);
        }
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.field("error")).isEqualTo("InvalidInput");
        assertThat(r.field("message")).contains("64");
    }

    @Test
    void malformedCommandLinesAreUsageErrors() {
        String[][] cases = {
            {},                                                   // --key missing
            {"--key-hex", KEY, "--seq", "-1"},
            {"--key-hex", KEY, "--seq", "9223372036854775808"},
            {"--key-hex", KEY, "--seq", "one"},
            {"--key-hex", KEY, "--timestamp", "18446744073709551616"},
            {"--key-hex", KEY, "--timestamp", "-5"},
            {"--key-hex", KEY, "--body", "00", "--body-utf8", "x"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("op", "create"));
            args.addAll(List.of(c));
            Cli.Result r = Cli.run(args.toArray(String[]::new));
            assertThat(r.exit()).as(args.toString()).isEqualTo(2);
            assertThat(r.field("error")).isEqualTo("Usage");
            assertThat(r.err()).contains("pando op create --help");
        }
        Cli.Result both = Cli.run("op", "create", "--key-hex", KEY, "--body", "00", "--body-utf8", "x");
        assertThat(both.field("message")).startsWith("--body").contains("mutually exclusive");
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000L;
    }
}
