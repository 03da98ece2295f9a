package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.ProtocolViolationException;
import org.junit.jupiter.api.Test;

/** The {@code pando/ping/1} message format. */
class PingProtocolTest {
    @Test
    void aMessageIsTypeSeqAndPayload() {
        byte[] m = PingProtocol.message(PingProtocol.REQUEST, 0x0102030405060708L, new byte[] {9, 10});
        assertThat(m).containsExactly(1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(PingProtocol.check(m, PingProtocol.REQUEST)).isEqualTo(0x0102030405060708L);
    }

    @Test
    void checkRejectsShortAndWrongTypedMessages() {
        assertThatThrownBy(() -> PingProtocol.check(new byte[8], PingProtocol.REQUEST))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("shorter than its 9-byte head");
        byte[] reply = PingProtocol.message(PingProtocol.REPLY, 1, new byte[0]);
        assertThatThrownBy(() -> PingProtocol.check(reply, PingProtocol.REQUEST))
                .isInstanceOf(ProtocolViolationException.class).hasMessageContaining("type 0x02, expected 0x01");
    }

    @Test
    void aReplyEchoesOnlyWithTheSameSeqAndPayload() {
        byte[] request = PingProtocol.message(PingProtocol.REQUEST, 7, new byte[] {1, 2, 3});
        assertThat(PingProtocol.echoes(PingProtocol.message(PingProtocol.REPLY, 7, new byte[] {1, 2, 3}), request)).isTrue();
        assertThat(PingProtocol.echoes(PingProtocol.message(PingProtocol.REPLY, 8, new byte[] {1, 2, 3}), request)).isFalse();
        assertThat(PingProtocol.echoes(PingProtocol.message(PingProtocol.REPLY, 7, new byte[] {1, 2, 4}), request)).isFalse();
        assertThat(PingProtocol.echoes(PingProtocol.message(PingProtocol.REPLY, 7, new byte[] {1, 2}), request)).isFalse();
    }
}
