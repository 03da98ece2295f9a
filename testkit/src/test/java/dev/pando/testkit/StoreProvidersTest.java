package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.ConfigurationException;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.spi.StoreProvider;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StoreProvidersTest {

    record Named(String name) implements StoreProvider {
        @Override
        public Set<String> optionKeys() {
            return Set.of();
        }

        @Override
        public Store create(StoreContext context) {
            throw new UnsupportedOperationException();
        }
    }

    static final class OtherSqlite implements StoreProvider {
        @Override
        public String name() {
            return "sqlite";
        }

        @Override
        public Set<String> optionKeys() {
            return Set.of();
        }

        @Override
        public Store create(StoreContext context) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void twoProvidersWithOneNameAreAnErrorNamingBoth() {
        List<StoreProvider> providers = List.of(new Named("memory"), new Named("sqlite"), new OtherSqlite());
        assertThatThrownBy(() -> StoreProviders.named("sqlite", providers))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining(Named.class.getName())
                .hasMessageContaining(OtherSqlite.class.getName());
        assertThat(StoreProviders.named("memory", providers)).containsInstanceOf(Named.class);
        assertThat(StoreProviders.named("nothing", providers)).isEmpty();
    }
}
