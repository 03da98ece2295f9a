package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pando.LogId;
import dev.pando.PrivateKey;
import dev.pando.TopicId;
import dev.pando.testkit.support.Operations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code pando node} in-process, two nodes over quic-netty on loopback. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NodeCommandTest {
    @TempDir
    Path dir;

    @Test
    void aNodeServesWhatWasImportedToAPeerThatNamesIt() throws IOException {
        // 3 authors × 20 operations of the topic's log, imported into a.db
        TopicId topic = TopicId.named("demo");
        Operations.Logs logs = Operations.logs(3, 20, LogId.forTopic(topic));
        List<String> lines = new ArrayList<>();
        HexFormat hex = HexFormat.of();
        for (var op : logs.all()) {
            lines.add("{\"header\":\"" + hex.formatHex(op.headerBytes()) + "\",\"body\":\""
                    + hex.formatHex(op.body().orElseThrow().bytes()) + "\"}");
        }
        Path a = dir.resolve("a.db");
        Cli.Result imported = Cli.runWithStdin(String.join("\n", lines) + "\n", "store", "import", "--db", a.toString());
        assertThat(imported.exit()).as(imported.out() + imported.err()).isZero();

        try (Listener first = Listener.startCommand("node", "--topic", "demo", "--db", a.toString(), "--bind", "127.0.0.1");
             Listener second = Listener.startCommand("node", "--topic", "demo", "--bind", "127.0.0.1",
                     "--peer", first.first().get("address").asText())) {
            JsonNode started = second.first();
            assertThat(started.get("event").asText()).isEqualTo("started");
            assertThat(started.get("topics").get(0).asText()).isEqualTo("demo");
            String firstId = first.first().get("node_id").asText();

            await().atMost(Duration.ofSeconds(60)).until(() -> received(second) >= 60);
            List<JsonNode> out = second.stopAll();
            assertThat(out.get(out.size() - 1).get("event").asText()).isEqualTo("stopped");
            assertThat(out.get(out.size() - 1).get("stored").asLong()).isEqualTo(60);
            assertThat(out).anySatisfy(e -> {
                assertThat(e.get("event").asText()).isEqualTo("peer_discovered");
                assertThat(e.get("peer").asText()).isEqualTo(firstId);
                assertThat(e.get("source").asText()).isEqualTo("config");
            });
            List<JsonNode> a2 = first.stopAll();
            assertThat(a2.get(a2.size() - 1).get("operations_out").asLong()).as(a2 + "\n" + out).isEqualTo(60);
        }
    }

    /** The operations the second node received in sync sessions, as its events report them. */
    private static long received(Listener second) {
        long in = 0;
        for (JsonNode e : second.json()) {
            if (e.get("event").asText().equals("sync_finished")) {
                in += e.get("operations_in").asLong();
            }
        }
        return in;
    }

    @Test
    void flagsThisBuildCannotHonourAreUsageErrors() {
        Cli.Result r = Cli.run("node", "--bootstrap-peer", "ab".repeat(32), "--until-signal");
        assertThat(r.exit()).isEqualTo(Pando.EXIT_USAGE);
        assertThat(r.out() + r.err()).contains("--relay");
        Cli.Result url = Cli.run("node", "--relay", "ftp://relay.example/", "--until-signal");
        assertThat(url.exit()).isNotZero();
        assertThat(url.out() + url.err()).contains("http:// or https://");
        Cli.Result bind = Cli.run("node", "--bind", "localhost", "--until-signal");
        assertThat(bind.exit()).isNotZero();
        assertThat(bind.out() + bind.err()).contains("--bind");
    }

    @Test
    void keyFileGivesTheNodeItsId() throws IOException {
        Cli.Result key = Cli.run("key", "generate");
        Path file = dir.resolve("k.json");
        Files.writeString(file, key.out());
        String id = key.json().get("public_key").asText();
        try (Listener node = Listener.startCommand("node", "--key-file", file.toString(), "--bind", "127.0.0.1")) {
            assertThat(node.first().get("node_id").asText()).isEqualTo(id);
            assertThat(node.first().get("address").asText()).startsWith(id + "@127.0.0.1:");
        }
        PrivateKey.fromHex(key.json().get("private_key").asText());
    }
}
