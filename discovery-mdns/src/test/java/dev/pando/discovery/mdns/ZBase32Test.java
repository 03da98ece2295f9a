package dev.pando.discovery.mdns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ZBase32Test {
    @Test
    void knownVectors() {
        // from the z-base-32 specification (Zooko O'Whielacronx, 2002): bits are taken MSB first
        assertThat(ZBase32.encode(new byte[] {(byte) 0xF0, (byte) 0xBF, (byte) 0xC7})).isEqualTo("6n9hq");
        assertThat(ZBase32.encode(new byte[] {(byte) 0xD4, 0x7A, 0x04})).isEqualTo("4t7ye");
        assertThat(ZBase32.encode(new byte[0])).isEmpty();
        assertThat(ZBase32.encode(new byte[] {0})).isEqualTo("yy");
        assertThat(ZBase32.encode("hello".getBytes(StandardCharsets.US_ASCII))).hasSize(8);
    }

    @Test
    void thirtyTwoBytesMakeFiftyTwoCharacters() {
        assertThat(ZBase32.encode(new byte[32])).hasSize(52).isEqualTo("y".repeat(52));
    }
}
