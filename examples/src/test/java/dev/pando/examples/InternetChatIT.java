package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's internet scenario with real processes through the {@code ./pando} launcher: {@code pando
 * relay}; A with {@code --relay URL --bootstrap}; B and C with {@code --relay URL --bootstrap-peer A}
 * (node id only): all three exchange messages, C started later shows the history, B and C (who met
 * through A's peer exchange) go on talking after A stops, and C restarted with its {@code --db} and
 * no network shows it all again (issue 12's internet scenario, issue 15's scenario 2).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class InternetChatIT {
    private static final Path LAUNCHER = Path.of("..", "pando").toAbsolutePath().normalize();
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private final List<LaunchedProcess> started = new ArrayList<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (LaunchedProcess p : started) {
            p.kill();
        }
    }

    private LaunchedProcess launch(String name, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(LAUNCHER.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        LaunchedProcess l = new LaunchedProcess(name, p);
        started.add(l);
        return l;
    }

    private static boolean message(JsonNode e, String text) {
        return e.path("event").asText().equals("message") && e.path("text").asText().equals(text);
    }

    @Test
    void threeChatsMeetThroughABootstrapNodeAndARelay() throws Exception {
        LaunchedProcess relay = launch("relay", "relay", "--port", "0", "--bind", "127.0.0.1");
        String url = relay.awaitEvent(e -> e.has("relay"), WAIT).get("relay").asText();

        LaunchedProcess a = launch("a", "chat", "--json", "--nick", "a", "--relay", url, "--bootstrap", "--bind", "127.0.0.1");
        String aId = a.awaitEvent(e -> e.path("event").asText().equals("started"), WAIT).get("node_id").asText();
        LaunchedProcess b = launch("b", "chat", "--json", "--nick", "b", "--relay", url, "--bootstrap-peer", aId,
                "--bind", "127.0.0.1");
        b.awaitEvent(e -> e.path("event").asText().equals("ready"), WAIT);

        a.send("a says hi");
        b.send("b says hi");
        b.awaitEvent(e -> message(e, "a says hi"), WAIT);
        a.awaitEvent(e -> message(e, "b says hi"), WAIT);

        Path cDb = dir.resolve("c.db");
        LaunchedProcess c = launch("c", "chat", "--json", "--nick", "c", "--relay", url, "--bootstrap-peer", aId,
                "--db", cDb.toString(), "--bind", "127.0.0.1");
        // C, started later, gets the history
        c.awaitEvent(e -> message(e, "a says hi"), WAIT);
        c.awaitEvent(e -> message(e, "b says hi"), WAIT);
        c.awaitEvent(e -> e.path("event").asText().equals("ready"), WAIT);
        c.send("c says hi");
        a.awaitEvent(e -> message(e, "c says hi"), WAIT);
        b.awaitEvent(e -> message(e, "c says hi"), WAIT);

        // B and C met through A (peer exchange): they go on without it
        a.endInput();
        assertThat(a.exit(WAIT)).isZero();
        b.send("b, after a left");
        c.awaitEvent(e -> message(e, "b, after a left"), WAIT);
        c.send("c, after a left");
        b.awaitEvent(e -> message(e, "c, after a left"), WAIT);
        c.endInput();
        assertThat(c.exit(WAIT)).isZero();
        JsonNode cStopped = c.events().get(c.events().size() - 1);
        assertThat(cStopped.get("event").asText()).isEqualTo("stopped");
        assertThat(cStopped.get("malformed").asLong()).isZero();

        // C again, with its database and no relay or peer: the history, without the network
        LaunchedProcess offline = launch("c-again", "chat", "--json", "--nick", "c", "--db", cDb.toString(),
                "--bind", "127.0.0.1");
        for (String text : List.of("a says hi", "b says hi", "c says hi", "b, after a left", "c, after a left")) {
            JsonNode m = offline.awaitEvent(e -> message(e, text), WAIT);
            assertThat(m.get("source").asText()).isEqualTo("history");
        }
        offline.endInput();
        assertThat(offline.exit(WAIT)).isZero();

        b.endInput();
        assertThat(b.exit(WAIT)).isZero();
        relay.endInput();
        assertThat(relay.exit(WAIT)).isZero();
        JsonNode summary = relay.events().get(relay.events().size() - 1);
        assertThat(summary.get("packets_forwarded").asLong()).isPositive();
    }
}
