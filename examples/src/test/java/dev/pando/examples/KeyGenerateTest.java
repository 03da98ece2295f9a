package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.PrivateKey;
import org.junit.jupiter.api.Test;

class KeyGenerateTest {
    @Test
    void printsAFreshKeyPairWhosePublicKeyBelongsToThePrivateKey() {
        Cli.Result first = Cli.run("key", "generate");
        Cli.Result second = Cli.run("key", "generate");
        assertThat(first.exit()).isZero();
        assertThat(first.err()).isEmpty();
        JsonNode json = first.json();
        assertThat(json.size()).isEqualTo(2);
        String priv = json.get("private_key").asText();
        String pub = json.get("public_key").asText();
        assertThat(priv).matches("[0-9a-f]{64}");
        assertThat(pub).matches("[0-9a-f]{64}");
        assertThat(PrivateKey.fromHex(priv).publicKey().hex()).isEqualTo(pub);
        assertThat(second.field("private_key")).isNotEqualTo(priv);
    }

    @Test
    void extraArgumentsAreAUsageError() {
        Cli.Result r = Cli.run("key", "generate", "now");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.field("error")).isEqualTo("Usage");
    }
}
