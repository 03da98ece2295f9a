package dev.pando.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProtocolNamesTest {

    @Test
    void protocolNameRules() {
        assertThat(ProtocolNames.isValid("pando/sync/1")).isTrue();
        assertThat(ProtocolNames.isValid("my-app.v2/chat_x/10")).isTrue();
        assertThat(ProtocolNames.isValid("a".repeat(199) + "/1")).isFalse();
        assertThat(ProtocolNames.isValid("a".repeat(198) + "/1")).isTrue();
        assertThat(ProtocolNames.isValid("pando/sync")).isFalse();
        assertThat(ProtocolNames.isValid("/sync/1")).isFalse();
        assertThat(ProtocolNames.isValid("1")).isFalse();
        assertThat(ProtocolNames.isValid("")).isFalse();
        assertThat(ProtocolNames.isValid(null)).isFalse();
        assertThatThrownBy(() -> ProtocolNames.validate("Pando/1")).isInstanceOf(IllegalArgumentException.class);
    }
}
