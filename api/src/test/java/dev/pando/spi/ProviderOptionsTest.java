package dev.pando.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.ConfigurationException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProviderOptionsTest {

    @Test
    void typedValuesAndDefaults() {
        ProviderOptions o = ProviderOptions.of("n", "7", "flag", "on", "t", "250ms", "iso", "PT2S");
        assertThat(o.integer("n", 0)).isEqualTo(7);
        assertThat(o.integer("missing", 3)).isEqualTo(3);
        assertThat(o.bool("flag", false)).isTrue();
        assertThat(o.duration("t", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
        assertThat(o.duration("iso", Duration.ZERO)).isEqualTo(Duration.ofSeconds(2));
        // zero needs no unit (the QUIC providers document keep_alive=0 as "off")
        assertThat(ProviderOptions.of("k", "0").duration("k", Duration.ofSeconds(9))).isZero();
        assertThatThrownBy(() -> ProviderOptions.of("k", "5").duration("k", Duration.ZERO)).isInstanceOf(ConfigurationException.class);
        assertThat(o.positiveDuration("missing", Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
        for (String[] bad : new String[][] {{"n", "x"}, {"flag", "maybe"}, {"t", "soon"}}) {
            ProviderOptions b = ProviderOptions.of(bad[0], bad[1]);
            assertThatThrownBy(() -> {
                b.integer("n", 0);
                b.bool("flag", false);
                b.duration("t", Duration.ZERO);
            }).isInstanceOf(ConfigurationException.class).hasMessageContaining(bad[0]);
        }
        assertThatThrownBy(() -> ProviderOptions.of("t", "0s").positiveDuration("t", Duration.ofSeconds(1)))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("t must be positive");
    }

    @Test
    void socketAddressesAreIpLiteralsWithAPort() {
        InetSocketAddress v4 = ProviderOptions.of("bind", "127.0.0.1:0").socketAddress("bind", "0.0.0.0:0");
        assertThat(v4.getAddress().isLoopbackAddress()).isTrue();
        assertThat(ProviderOptions.empty().socketAddress("bind", "0.0.0.0:4433").getPort()).isEqualTo(4433);
        assertThat(ProviderOptions.of("bind", "[::1]:9").socketAddress("bind", "").getAddress().isLoopbackAddress()).isTrue();
        for (String bad : new String[] {"localhost:0", "127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:x", ":5"}) {
            assertThatThrownBy(() -> ProviderOptions.of("bind", bad).socketAddress("bind", "0.0.0.0:0"))
                    .as(bad).isInstanceOf(ConfigurationException.class).hasMessageContaining("bind");
        }
    }
}
