package com.example.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.spi.ProviderOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExampleAppTest {
    @TempDir
    Path dir;

    @Test
    void bobReceivesAlicesNotesInOrderWhenAliceKeepsThemInSqlite() throws Exception {
        List<String> received = ExampleApp.run("sqlite", ProviderOptions.of("path", dir.resolve("alice.db").toString()),
                3, Duration.ofSeconds(60));
        assertThat(received).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(received.get(i)).as("note %d", i).startsWith(i + " ").endsWith(": note " + i);
        }
    }
}
