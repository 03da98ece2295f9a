package dev.pando;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reproduces every vector in operations-p2panda-0.3.json (the format: docs/OPERATION-FORMAT.md) byte for byte. */
class VectorsTest {
    static final HexFormat HEX = HexFormat.of();

    static JsonNode vectors() throws IOException {
        // the repository's own copy: nothing outside the repository is read
        Path p = Path.of("src", "test", "resources", "operations-p2panda-0.3.json");
        return new ObjectMapper().readTree(Files.readAllBytes(p));
    }

    @Test
    void blake3Vectors() throws IOException {
        for (JsonNode v : vectors().get("blake3")) {
            byte[] input = v.has("input_hex") ? HEX.parseHex(v.get("input_hex").asText())
                    : v.get("input_utf8").asText().getBytes(StandardCharsets.UTF_8);
            assertThat(Hash.of(input).hex()).isEqualTo(v.get("hash").asText());
        }
    }

    @Test
    void cborVectors() throws IOException {
        JsonNode c = vectors().get("cbor");
        assertThat(HEX.formatHex(new CborWriter().writeBytes(Hash.of(HEX.parseHex("010203")).bytes()).toByteArray()))
                .isEqualTo(c.get(0).get("hex").asText());
        assertThat(HEX.formatHex(new CborWriter().writeBytes(HEX.parseHex("010203")).toByteArray()))
                .isEqualTo(c.get(1).get("hex").asText());
        assertThat(new CborReader(HEX.parseHex(c.get(1).get("hex").asText())).readBytes()).containsExactly(1, 2, 3);
    }

    @Test
    void keyPair() throws IOException {
        JsonNode kp = vectors().get("key_pair");
        PrivateKey key = PrivateKey.fromHex(kp.get("private_key").asText());
        assertThat(key.publicKey().hex()).isEqualTo(kp.get("public_key").asText());
        assertThat(key.toString()).doesNotContain(kp.get("private_key").asText());
    }

    @Test
    void headersDecodeEncodeSignAndId() throws IOException {
        JsonNode all = vectors();
        PrivateKey key = PrivateKey.fromHex(all.get("key_pair").get("private_key").asText());
        List<Operation> log = new ArrayList<>();
        for (JsonNode v : all.get("headers")) {
            byte[] signed = HEX.parseHex(v.get("signed").asText());
            Operation op = Operation.decodeAndValidate(signed, null);
            assertThat(op.id().hex()).isEqualTo(v.get("id").asText());
            assertThat(HEX.formatHex(op.header().unsignedBytes())).isEqualTo(v.get("unsigned").asText());
            assertThat(op.seqNum()).isEqualTo(v.get("seq_num").asLong());
            assertThat(op.header().payloadSize()).isEqualTo(v.get("payload_size").asLong());
            assertThat(op.header().backlink().map(Hash::hex).orElse(null))
                    .isEqualTo(v.has("backlink") ? v.get("backlink").asText() : null);

            // the builder reproduces the same bytes (Ed25519 signatures are deterministic)
            OperationBuilder b = Operation.builder(key).timestamp(0);
            if (!log.isEmpty()) {
                b.after(log.get(log.size() - 1));
            }
            Operation built = b.build();
            assertThat(HEX.formatHex(built.headerBytes())).isEqualTo(v.get("signed").asText());
            assertThat(built.id()).isEqualTo(op.id());
            if (!log.isEmpty()) {
                op.validateAfter(log.get(log.size() - 1));
            }
            log.add(op);
        }
        assertThat(log).hasSize(2);
    }
}
