package dev.pando.discovery.mdns;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Without iproute2 the namespace tests fail, saying what is missing, instead of skipping. */
class NetnsLabTest {
    @Test
    void aMissingIpCommandFailsWithWhatToInstall() {
        assertThatThrownBy(() -> NetnsLab.requireIpNetns("/nonexistent/pando-test/ip"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("iproute2")
                .hasMessageContaining("root");
    }

    @Test
    void anIpThatCannotListNamespacesFailsWithItsError() {
        // `false` runs and exits 1, as `ip netns list` does without the right to
        assertThatThrownBy(() -> NetnsLab.requireIpNetns("false"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ip netns");
    }
}
