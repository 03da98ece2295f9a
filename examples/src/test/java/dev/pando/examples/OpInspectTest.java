package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.CborValue;
import dev.pando.Hash;
import dev.pando.PrivateKey;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpInspectTest {
    static final JsonNode VECTORS = Cli.vectors();
    static final PrivateKey KEY = PrivateKey.fromHex(VECTORS.get("key_pair").get("private_key").asText());
    static final PrivateKey OTHER = PrivateKey.fromBytes(new byte[32]);
    static final HexFormat HEX = HexFormat.of();

    static String signed(int i) {
        return VECTORS.get("headers").get(i).get("signed").asText();
    }

    static String id(int i) {
        return VECTORS.get("headers").get(i).get("id").asText();
    }

    @Test
    void everyVectorIsValidAndPrintedInFull() {
        for (int i = 0; i < VECTORS.get("headers").size(); i++) {
            JsonNode v = VECTORS.get("headers").get(i);
            Cli.Result r = Cli.run("op", "inspect", v.get("signed").asText());
            assertThat(r.exit()).isZero();
            assertThat(r.err()).isEmpty();
            JsonNode j = r.json();
            assertThat(fieldNames(j)).containsExactly("valid", "body_checked", "id", "version", "public_key", "signature",
                    "payload_size", "payload_hash", "timestamp", "seq_num", "backlink", "previous", "extensions",
                    "log_id", "prune");
            assertThat(j.get("valid").asBoolean()).isTrue();
            assertThat(j.get("body_checked").asBoolean()).as("no payload: nothing unchecked").isTrue();
            assertThat(j.get("id").asText()).isEqualTo(v.get("id").asText());
            assertThat(j.get("version").isIntegralNumber()).isTrue();
            assertThat(j.get("version").asInt()).isEqualTo(1);
            assertThat(j.get("public_key").asText()).isEqualTo(VECTORS.get("key_pair").get("public_key").asText());
            assertThat(j.get("signature").asText()).matches("[0-9a-f]{128}");
            assertThat(v.get("signed").asText()).contains(j.get("signature").asText());
            assertThat(j.get("payload_size").asLong()).isEqualTo(v.get("payload_size").asLong());
            assertThat(j.get("payload_hash").isNull()).isTrue();
            assertThat(j.get("timestamp").asLong()).isZero();
            assertThat(j.get("seq_num").isIntegralNumber()).isTrue();
            assertThat(j.get("seq_num").asLong()).isEqualTo(v.get("seq_num").asLong());
            if (v.has("backlink")) {
                assertThat(j.get("backlink").asText()).isEqualTo(v.get("backlink").asText());
            } else {
                assertThat(j.get("backlink").isNull()).isTrue();
            }
            assertThat(j.get("previous").isArray()).isTrue();
            assertThat(j.get("previous")).isEmpty();
            assertThat(j.get("extensions").isNull()).isTrue();
            assertThat(j.get("log_id").asText()).isEmpty();
            assertThat(j.get("prune").asBoolean(true)).isFalse();
        }
    }

    @Test
    void theSecondVectorFollowsTheFirst() {
        Cli.Result r = Cli.run("op", "inspect", signed(1), "--predecessor", signed(0));
        assertThat(r.exit()).isZero();
        assertThat(r.json().get("valid").asBoolean()).isTrue();
    }

    @Test
    void readsTheHeaderFromStdinIgnoringWhitespace() {
        Cli.Result r = Cli.runWithStdin("\n  " + signed(0) + " \r\n\t", "op", "inspect", "-");
        assertThat(r.exit()).isZero();
        assertThat(r.field("id")).isEqualTo(id(0));
    }

    @Test
    void badHexIsDescribedInWords() {
        Cli.Result r = Cli.run("op", "inspect", "87g1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.field("error")).isEqualTo("Decode");
        assertThat(r.field("message")).isEqualTo("the header is not valid hex: character 3 ('g') is not a hex digit (0-9, a-f)");
    }

    @Test
    void tooMuchStdinIsRefusedWithoutReadingItAll() {
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return '0';
            }
        };
        Cli.Result r = Cli.runWithStdin(endless, "op", "inspect", "-");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.field("error")).isEqualTo("Decode");
        assertThat(r.field("message")).contains("stdin");
    }

    @Test
    void anUnreadableStdinIsInvalidInputAndABugIsInternal() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws java.io.IOException {
                throw new java.io.IOException("device gone");
            }
        };
        Cli.Result r = Cli.runWithStdin(failing, "op", "inspect", "-");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.field("error")).isEqualTo("InvalidInput");
        assertThat(r.field("message")).contains("stdin", "device gone");

        InputStream buggy = new InputStream() {
            @Override
            public int read() {
                throw new IllegalStateException("broken stream");
            }
        };
        Cli.Result bug = Cli.runWithStdin(buggy, "op", "inspect", "-");
        assertThat(bug.exit()).isEqualTo(1);
        assertThat(bug.field("error")).isEqualTo("Internal");
        assertThat(bug.field("message")).isEqualTo("IllegalStateException: broken stream");
        assertThat(bug.err()).isEmpty();
    }

    @Test
    void bodyOptionsAreCheckedAgainstThePayload() {
        Cli.Result created = Cli.run("op", "create", "--key-hex", KEY.toHex(), "--body-utf8", "hi");
        String header = created.field("header");
        for (Cli.Result checked : List.of(Cli.run("op", "inspect", header, "--body-utf8", "hi"),
                Cli.run("op", "inspect", header, "--body", "6869"))) {
            assertThat(checked.exit()).isZero();
            assertThat(checked.json().get("body_checked").asBoolean()).isTrue();
        }
        // issue 14: without a body, "valid": true covers the header only, and says so
        Cli.Result r = Cli.run("op", "inspect", header);
        assertThat(r.exit()).isZero();
        assertThat(r.json().get("valid").asBoolean()).isTrue();
        assertThat(r.json().get("body_checked").asBoolean()).isFalse();
        assertThat(r.json().get("payload_size").asLong()).isEqualTo(2);
        assertThat(r.field("payload_hash")).isEqualTo(Hash.of("hi".getBytes(java.nio.charset.StandardCharsets.UTF_8)).hex());
    }

    @Test
    void extensionsAreConvertedToJson() {
        Cli.Result created = Cli.run("op", "create", "--key-hex", KEY.toHex(), "--log-id", "0102", "--prune",
                "--timestamp", "18446744073709551615");
        JsonNode j = Cli.run("op", "inspect", created.field("header")).json();
        assertThat(j.get("extensions").toString()).isEqualTo("{\"prune\":true,\"log_id\":\"0102\"}");
        assertThat(j.get("log_id").asText()).isEqualTo("0102");
        assertThat(j.get("prune").asBoolean()).isTrue();
        assertThat(j.get("timestamp").isIntegralNumber()).isTrue();
        assertThat(j.get("timestamp").bigIntegerValue()).hasToString("18446744073709551615");

        // a map with a non-text key becomes [key, value] pairs; u64 above 2^63-1 stays unsigned
        CborValue ext = CborValue.map(CborValue.of(1), CborValue.array(CborValue.of(-1L), CborValue.Null.INSTANCE),
                CborValue.of("t"), CborValue.of(new byte[] {(byte) 0xab}));
        String header = new HeaderBytes(KEY).payload(18, Hash.of(new byte[18])).extensions(ext).hex();
        JsonNode k = Cli.run("op", "inspect", header).json();
        assertThat(k.get("valid").asBoolean()).isTrue();
        assertThat(k.get("extensions").toString()).isEqualTo("[[1,[18446744073709551615,null]],[\"t\",\"ab\"]]");
        assertThat(k.get("log_id").asText()).isEmpty();
        assertThat(k.get("payload_size").asInt()).isEqualTo(18);
    }

    @Test
    void previousHashesAreListed() {
        Hash a = Hash.of(new byte[] {1});
        Hash b = Hash.of(new byte[] {2});
        String header = new HeaderBytes(KEY).previous(a).previous(b).hex();
        JsonNode j = Cli.run("op", "inspect", header).json();
        assertThat(j.get("previous").toString()).isEqualTo("[\"" + a.hex() + "\",\"" + b.hex() + "\"]");
    }

    // ---- every error kind, from bytes ----

    @Test
    void decode() {
        String truncated = signed(0).substring(0, signed(0).length() - 4);
        assertInvalid("Decode", truncated);
        assertInvalid("Decode", signed(0) + "00");             // trailing bytes
        assertInvalid("Decode", "");                           // nothing at all
        assertInvalid("Decode", "zz");                         // not hex
        assertInvalid("Decode", signed(0).substring(1));       // odd length
        assertInvalid("Decode", signed(0), "--body", "0g");    // body not hex
    }

    @Test
    void missingSignature() {
        assertInvalid("MissingSignature", new HeaderBytes(KEY).unsigned().hex());
    }

    @Test
    void signatureMismatch() {
        assertInvalid("SignatureMismatch", new HeaderBytes(KEY).signedBy(OTHER).hex());
        byte[] flipped = HEX.parseHex(signed(0));
        flipped[40] ^= 1;                                      // inside the signature
        assertInvalid("SignatureMismatch", HEX.formatHex(flipped));
    }

    @Test
    void unsupportedVersion() {
        assertInvalid("UnsupportedVersion", new HeaderBytes(KEY).version(2).hex());
    }

    @Test
    void inconsistentPayloadInfo() {
        assertInvalid("InconsistentPayloadInfo", new HeaderBytes(KEY).payload(0, Hash.of(new byte[0])).hex());
        assertInvalid("InconsistentPayloadInfo", new HeaderBytes(KEY).payload(5, null).hex());
    }

    @Test
    void seqNumMismatch() {
        assertInvalid("SeqNumMismatch", new HeaderBytes(KEY).backlink(Hash.fromHex(id(0))).hex());
    }

    @Test
    void backlinkMissing() {
        assertInvalid("BacklinkMissing", new HeaderBytes(KEY).seq(1).hex());
    }

    @Test
    void payloadMismatch() {
        String header = Cli.run("op", "create", "--key-hex", KEY.toHex(), "--body-utf8", "hi").field("header");
        assertInvalid("PayloadMismatch", header, "--body-utf8", "ho");   // same size, other hash
        assertInvalid("PayloadMismatch", header, "--body", "686969");    // other size
    }

    @Test
    void tooManyAuthors() {
        String predecessor = new HeaderBytes(OTHER).hex();
        String header = new HeaderBytes(KEY).seq(1).backlink(Hash.of(HEX.parseHex(predecessor))).hex();
        assertInvalid("TooManyAuthors", header, "--predecessor", predecessor);
    }

    @Test
    void seqNumNonIncremental() {
        assertInvalid("SeqNumNonIncremental", new HeaderBytes(KEY).seq(2).backlink(Hash.fromHex(id(0))).hex(),
                "--predecessor", signed(0));
    }

    @Test
    void backlinkMismatch() {
        assertInvalid("BacklinkMismatch", new HeaderBytes(KEY).seq(1).backlink(Hash.of(new byte[] {9})).hex(),
                "--predecessor", signed(0));
    }

    @Test
    void aMalformedPredecessorIsADecodeErrorThatSaysSo() {
        Cli.Result r = assertInvalid("Decode", signed(1), "--predecessor", signed(0).substring(0, 20));
        assertThat(r.field("message")).contains("predecessor");
        Cli.Result notHex = assertInvalid("Decode", signed(1), "--predecessor", "xx");
        assertThat(notHex.field("message")).contains("predecessor");
    }

    @Test
    void aPrunedOperationMayStartItsLogAnywhere() {
        String pruned = Cli.run("op", "create", "--key-hex", KEY.toHex(), "--seq", "5", "--backlink", id(1), "--prune")
                .field("header");
        Cli.Result r = Cli.run("op", "inspect", pruned, "--predecessor", signed(0));
        assertThat(r.exit()).isZero();
        assertThat(r.json().get("prune").asBoolean()).isTrue();
    }

    @Test
    void missingHeaderArgumentIsAUsageError() {
        Cli.Result r = Cli.run("op", "inspect");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.field("error")).isEqualTo("Usage");
        assertThat(r.field("message")).contains("HEADER_HEX");
    }

    private static Cli.Result assertInvalid(String kind, String header, String... more) {
        List<String> args = new ArrayList<>(List.of("op", "inspect", header));
        args.addAll(List.of(more));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertThat(r.exit()).as(args.toString()).isEqualTo(1);
        JsonNode j = r.json();
        assertThat(fieldNames(j)).as(r.out()).containsExactly("valid", "error", "message");
        assertThat(j.get("valid").asBoolean(true)).isFalse();
        assertThat(j.get("error").asText()).as(r.out()).isEqualTo(kind);
        assertThat(j.get("message").asText()).isNotBlank().doesNotContain("\n");
        assertThat(r.err()).isEmpty();
        return r;
    }

    private static List<String> fieldNames(JsonNode j) {
        List<String> names = new ArrayList<>();
        j.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
