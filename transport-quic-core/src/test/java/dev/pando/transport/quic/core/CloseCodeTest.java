package dev.pando.transport.quic.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CloseCodeTest {

    @Test
    void codesAreTheSpecsAndUnique() {
        // WIRE.md, "Close codes": the numbers are the wire; changing one breaks interop
        assertThat(CloseCode.NORMAL.code()).isZero();
        assertThat(CloseCode.AUTH_FAILED.code()).isEqualTo(1);
        assertThat(CloseCode.AUTH_TIMEOUT.code()).isEqualTo(2);
        assertThat(CloseCode.LIMIT.code()).isEqualTo(3);
        assertThat(CloseCode.PROTOCOL_VIOLATION.code()).isEqualTo(4);
        assertThat(CloseCode.IDENTITY_MISMATCH.code()).isEqualTo(5);
        assertThat(CloseCode.OTHER_NETWORK.code()).isEqualTo(6);
        assertThat(CloseCode.STALLED.code()).isEqualTo(7);
        assertThat(Arrays.stream(CloseCode.values()).mapToInt(CloseCode::code).distinct().count())
                .isEqualTo(CloseCode.values().length);
        for (CloseCode c : CloseCode.values()) {
            assertThat(CloseCode.of(c.code())).contains(c);
            assertThat(c.words()).isNotBlank();
            assertThat(c.description()).isNotBlank();
        }
    }

    @Test
    void describeRendersCodesInWords() {
        assertThat(CloseCode.describe(4)).isEqualTo("code 4 (protocol violation)");
        assertThat(CloseCode.describe(3)).isEqualTo("code 3 (connection limit)");
        assertThat(CloseCode.describe(99)).isEqualTo("code 99 (unknown)");
        assertThat(CloseCode.of(-1)).isEmpty();
    }
}
