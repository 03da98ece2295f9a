package dev.pando.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.ConfigurationException;
import dev.pando.spi.ProviderOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteConfig.JournalMode;
import org.sqlite.SQLiteConfig.SynchronousMode;

class SqliteOptionsTest {
    @Test
    void defaults() {
        SqliteOptions o = SqliteOptions.from(ProviderOptions.of("path", "/tmp/x/../db.sqlite"));

        assertThat(o.path()).isEqualTo(Path.of("/tmp/db.sqlite"));
        assertThat(o.journalMode()).isEqualTo(JournalMode.WAL);
        assertThat(o.synchronous()).isEqualTo(SynchronousMode.NORMAL);
        assertThat(o.busyTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.readers()).isEqualTo(4);
        assertThat(o.readOnly()).isFalse();
    }

    @Test
    void everyOptionIsRead() {
        SqliteOptions o = SqliteOptions.from(ProviderOptions.of("path", "/tmp/db.sqlite", "journal_mode", "delete",
                "synchronous", "Full", "busy_timeout", "250ms", "readers", "2", "read_only", "true"));

        assertThat(o.journalMode()).isEqualTo(JournalMode.DELETE);
        assertThat(o.synchronous()).isEqualTo(SynchronousMode.FULL);
        assertThat(o.busyTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(o.readers()).isEqualTo(2);
        assertThat(o.readOnly()).isTrue();
    }

    @Test
    void thePathIsRequiredAndMustBeAFile() {
        assertThatThrownBy(() -> SqliteOptions.from(ProviderOptions.empty()))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("path is required");
        assertThatThrownBy(() -> SqliteOptions.from(ProviderOptions.of("path", " ")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("path is required");
        assertThatThrownBy(() -> SqliteOptions.from(ProviderOptions.of("path", ":memory:")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("must be a file path");
        assertThatThrownBy(() -> SqliteOptions.from(ProviderOptions.of("path", "file:db?mode=ro")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("must be a file path");
    }

    @Test
    void badValuesNameTheirOption() {
        assertThatThrownBy(() -> SqliteOptions.from(ProviderOptions.of("path", "/tmp/db", "journal_mode", "fast")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("journal_mode").hasMessageContaining("WAL");
        assertThatThrownBy(() -> SqliteOptions.from(ProviderOptions.of("path", "/tmp/db", "synchronous", "extra")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("synchronous");
        assertThatThrownBy(() -> SqliteOptions.from(ProviderOptions.of("path", "/tmp/db", "busy_timeout", "soon")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("busy_timeout");
        assertThatThrownBy(() -> SqliteOptions.from(ProviderOptions.of("path", "/tmp/db", "read_only", "maybe")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("read_only");
        assertThatThrownBy(() -> SqliteOptions.from(ProviderOptions.of("path", "/tmp/db", "readers", "0")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("readers");
        assertThatThrownBy(() -> SqliteOptions.from(ProviderOptions.of("path", "/tmp/db", "readers", "65")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("readers");
    }

    @Test
    void aMisspeltOptionIsAnError() {
        assertThatThrownBy(() -> SqliteOptions.from(ProviderOptions.of("path", "/tmp/db", "reader", "2")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("[reader]");
    }
}
