package dev.pando.gossip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.ConfigurationException;
import dev.pando.spi.ProviderOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PlumtreeOptionsTest {

    @Test
    void defaultsAreThePapersAndIrohGossips() {
        PlumtreeOptions o = PlumtreeOptions.from(ProviderOptions.empty());
        assertThat(o.maxMessageBytes()).isEqualTo(4096);
        assertThat(o.activeView()).isEqualTo(5);
        assertThat(o.passiveView()).isEqualTo(30);
        assertThat(o.activeWalk()).isEqualTo(6);
        assertThat(o.passiveWalk()).isEqualTo(3);
        assertThat(o.shuffleInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(o.joinContacts()).isEqualTo(7);
        assertThat(o.graftTimeout()).isEqualTo(Duration.ofMillis(80));
        assertThat(o.ihaveDelay()).isEqualTo(Duration.ofMillis(5));
        assertThat(o.catchUp()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.seed()).isEmpty();
        assertThat(new PlumtreeGossipProvider().optionKeys()).contains("max_message_bytes", "active_view", "catch_up", "seed").hasSize(23);
    }

    @Test
    void valuesAreReadAndChecked() {
        PlumtreeOptions o = PlumtreeOptions.from(ProviderOptions.of("active_view", "3", "shuffle_interval", "10s", "seed", "42"));
        assertThat(o.activeView()).isEqualTo(3);
        assertThat(o.shuffleInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.seed()).hasValue(42);
        assertThat(PlumtreeOptions.from(ProviderOptions.of("catch_up", "0")).catchUp()).isZero();
        assertThatThrownBy(() -> PlumtreeOptions.from(ProviderOptions.of("fanout", "3")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("fanout").hasMessageContaining("active_view");
        assertThatThrownBy(() -> PlumtreeOptions.from(ProviderOptions.of("active_view", "0")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("active_view");
        assertThatThrownBy(() -> PlumtreeOptions.from(ProviderOptions.of("max_message_bytes", "2000000")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("max_message_bytes");
        assertThatThrownBy(() -> PlumtreeOptions.from(ProviderOptions.of("passive_walk", "7")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("passive_walk");
        assertThatThrownBy(() -> PlumtreeOptions.from(ProviderOptions.of("graft_timeout", "0")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("graft_timeout");
    }
}
