package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pando chat}'s human mode as a person sees it: a chat in a tmux pane (keys sent, the screen
 * read), talking to a {@code --json} chat, both through the real {@code ./pando} launcher. Needs
 * tmux (CI installs it).
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ChatTmuxIT {
    private static final Path LAUNCHER = Path.of("..", "pando").toAbsolutePath().normalize();
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void aPersonChatsInATerminal() throws Exception {
        assertThat(run("tmux", "-V").exit).as("tmux is needed for this test (apt-get install tmux)").isZero();
        Path aliceOut = dir.resolve("alice.jsonl");
        Process alice = new ProcessBuilder(LAUNCHER.toString(), "chat", "--json", "--nick", "alice", "--bind", "127.0.0.1",
                "--bootstrap").redirectOutput(aliceOut.toFile()).redirectError(dir.resolve("alice.err").toFile()).start();
        String session = "pando-chat-" + UUID.randomUUID().toString().substring(0, 8);
        try (OutputStream aliceIn = alice.getOutputStream()) {
            await().atMost(WAIT).until(() -> !events(aliceOut, "started").isEmpty());
            String address = events(aliceOut, "started").get(0).get("address").asText();
            String bob = LAUNCHER + " chat --nick bob --bind 127.0.0.1 --peer '" + address + "'";
            // the shell keeps the pane (and its last screen) after the chat ends
            assertThat(run("tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "40",
                    "sh -c \"" + bob.replace("\"", "\\\"") + "; echo EXITED:\\$?; exec cat\"").exit).isZero();

            await().atMost(WAIT).until(() -> screen(session).contains("-- ready"));
            assertThat(screen(session)).contains("pando chat — room \"pando-chat-demo\" as bob", "node id", "address",
                    "-- waiting for peers…");

            keys(session, "hello from a terminal");
            await().atMost(WAIT).until(() -> events(aliceOut, "message").stream()
                    .anyMatch(m -> m.get("text").asText().equals("hello from a terminal") && m.get("nick").asText().equals("bob")));

            aliceIn.write("hi bob\n".getBytes(StandardCharsets.UTF_8));
            aliceIn.flush();
            await().atMost(WAIT).until(() -> screen(session).matches("(?s).*alice \\([0-9a-f]{5}\\): hi bob.*"));

            keys(session, "/who");
            await().atMost(WAIT).until(() -> screen(session).matches("(?s).*-- here: alice \\([0-9a-f]{5}\\).*"));
            keys(session, "/nick robert");
            await().atMost(WAIT).until(() -> screen(session).contains("-- you are now robert"));

            keys(session, "/quit");
            await().atMost(WAIT).until(() -> screen(session).contains("EXITED:0"));
            assertThat(screen(session)).contains("-- left the room").doesNotContain("Exception");
            await().atMost(WAIT).until(() -> !events(aliceOut, "peer_left").isEmpty());
        } finally {
            run("tmux", "kill-session", "-t", session);
            alice.destroy();
            alice.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static void keys(String session, String text) throws Exception {
        assertThat(run("tmux", "send-keys", "-t", session, "-l", text).exit).isZero();
        assertThat(run("tmux", "send-keys", "-t", session, "Enter").exit).isZero();
    }

    private static String screen(String session) throws Exception {
        return run("tmux", "capture-pane", "-p", "-t", session).out;
    }

    private static List<JsonNode> events(Path file, String event) throws IOException {
        List<JsonNode> found = new ArrayList<>();
        for (String l : Files.readAllLines(file)) {
            if (!l.isBlank()) {
                JsonNode n = MAPPER.readTree(l);
                if (n.path("event").asText().equals(event)) {
                    found.add(n);
                }
            }
        }
        return found;
    }

    private record Result(int exit, String out) {
    }

    private static Result run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(new File("/dev/null")).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
