package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code pando chat --json} in-process: two and three chats over quic-netty on loopback. */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ChatCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** Signals are not tested here: stdin's end stops a chat. */
    private static final ShutdownHooks NO_HOOKS = new ShutdownHooks() {
        @Override
        public void add(Thread hook) {
        }

        @Override
        public void remove(Thread hook) {
        }
    };

    @TempDir
    Path dir;

    /** One chat with a stdin the test writes to and a stdout it reads while it runs. */
    static final class Chat implements AutoCloseable {
        private final StringBuffer out = new StringBuffer();
        private final StringWriter err = new StringWriter();
        private final PipedOutputStream stdin = new PipedOutputStream();
        private final CompletableFuture<Integer> exit = new CompletableFuture<>();

        Chat(String... args) throws IOException {
            PipedInputStream in = new PipedInputStream(stdin, 64 * 1024);
            String[] all = new String[args.length + 2];
            all[0] = "chat";
            all[1] = "--json";
            System.arraycopy(args, 0, all, 2, args.length);
            Writer sink = new Writer() {
                @Override
                public void write(char[] cbuf, int off, int len) {
                    out.append(cbuf, off, len);
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            Thread t = new Thread(() -> {
                try {
                    exit.complete(Pando.run(all, in, NO_HOOKS, sink, err));
                } catch (Throwable e) {
                    exit.completeExceptionally(e);
                }
            }, "test-chat");
            t.setDaemon(true);
            t.start();
            await().atMost(WAIT).until(() -> !events("started").isEmpty() || exit.isDone());
            if (exit.isDone()) {
                throw new AssertionError("the chat ended at once: " + out + " " + err);
            }
        }

        String address() {
            return events("started").get(0).get("address").asText();
        }

        String id() {
            return events("started").get(0).get("node_id").asText();
        }

        void say(String line) {
            try {
                stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                stdin.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void sayBytes(byte[] bytes) throws IOException {
            stdin.write(bytes);
            stdin.flush();
        }

        List<JsonNode> events(String event) {
            List<JsonNode> found = new ArrayList<>();
            for (String l : out.toString().split("\n")) {
                if (l.isBlank()) {
                    continue;
                }
                try {
                    JsonNode n = MAPPER.readTree(l);
                    if (n.path("event").asText().equals(event)) {
                        found.add(n);
                    }
                } catch (IOException e) {
                    throw new AssertionError("not a JSON line: " + l);
                }
            }
            return found;
        }

        List<String> texts() {
            return events("message").stream().map(m -> m.get("text").asText()).toList();
        }

        JsonNode stop() throws IOException {
            stdin.close();
            try {
                int code = exit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(code).as(out + " " + err).isZero();
            } catch (Exception e) {
                throw new AssertionError("the chat did not end: " + out + " " + err, e);
            }
            List<JsonNode> stopped = events("stopped");
            assertThat(stopped).hasSize(1);
            return stopped.get(0);
        }

        @Override
        public void close() throws IOException {
            if (!exit.isDone()) {
                stdin.close();
                exit.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).exceptionally(e -> -1).join();
            }
        }
    }

    @Test
    void twoChatsExchangeMessagesAndALateJoinerGetsTheHistory() throws IOException {
        try (Chat alice = new Chat("--nick", "alice", "--bind", "127.0.0.1", "--bootstrap");
             Chat bob = new Chat("--nick", "bob", "--bind", "127.0.0.1", "--peer", alice.address())) {
            await().atMost(WAIT).until(() -> !bob.events("ready").isEmpty());
            alice.say("hello bob");
            bob.say("hi alice");
            await().atMost(WAIT).until(() -> bob.texts().contains("hello bob") && alice.texts().contains("hi alice"));
            JsonNode fromAlice = bob.events("message").stream().filter(m -> m.get("text").asText().equals("hello bob"))
                    .findFirst().orElseThrow();
            assertThat(fromAlice.get("nick").asText()).isEqualTo("alice");
            assertThat(fromAlice.get("author").asText()).isEqualTo(alice.id());
            assertThat(fromAlice.get("source").asText()).isIn("live", "sync");
            assertThat(alice.events("message").stream().filter(m -> m.get("text").asText().equals("hello bob"))
                    .findFirst().orElseThrow().get("source").asText()).isEqualTo("local");

            try (Chat carol = new Chat("--nick", "carol", "--bind", "127.0.0.1", "--peer", alice.address(),
                    "--db", dir.resolve("carol.db").toString())) {
                await().atMost(WAIT).until(() -> carol.texts().containsAll(List.of("hello bob", "hi alice")));
                assertThat(carol.texts()).doesNotHaveDuplicates();
                carol.stop();
            }
            // carol again, with her database and no peer: the history is there without the network
            try (Chat again = new Chat("--nick", "carol", "--bind", "127.0.0.1",
                    "--db", dir.resolve("carol.db").toString())) {
                await().atMost(WAIT).until(() -> again.texts().containsAll(List.of("hello bob", "hi alice")));
                assertThat(again.events("message")).allSatisfy(m -> assertThat(m.get("source").asText()).isEqualTo("history"));
                JsonNode stopped = again.stop();
                assertThat(stopped.get("messages").asLong()).isEqualTo(2);
            }
            JsonNode stopped = bob.stop();
            assertThat(stopped.get("malformed").asLong()).isZero();
        }
    }

    @Test
    void chatsThatKnowOnlyANodeIdAndARelayTalkThroughIt() throws Exception {
        try (dev.pando.transport.relay.RelayServer relay = dev.pando.transport.relay.RelayServer.create(
                dev.pando.transport.relay.RelayServerConfig.defaults()
                        .withBind(new java.net.InetSocketAddress("127.0.0.1", 0)))) {
            relay.start();
            String url = relay.url().toString();
            try (Chat alice = new Chat("--nick", "alice", "--bind", "127.0.0.1", "--relay", url, "--bootstrap");
                 Chat bob = new Chat("--nick", "bob", "--bind", "127.0.0.1", "--relay", url,
                         "--bootstrap-peer", alice.id())) {
                assertThat(alice.address()).endsWith(";relay=" + url);
                await().atMost(WAIT).until(() -> !bob.events("ready").isEmpty());
                bob.say("via the relay");
                alice.say("heard you");
                await().atMost(WAIT).until(() -> alice.texts().contains("via the relay") && bob.texts().contains("heard you"));
                try (Chat carol = new Chat("--nick", "carol", "--bind", "127.0.0.1", "--relay", url,
                        "--bootstrap-peer", alice.id())) {
                    await().atMost(WAIT).until(() -> carol.texts().containsAll(List.of("via the relay", "heard you")));
                    carol.stop();
                }
                bob.stop();
                alice.stop();
            }
        }
    }

    @Test
    void badInputGetsAClearErrorAndTheChatGoesOn() throws IOException {
        try (Chat alone = new Chat("--nick", "solo", "--bind", "127.0.0.1", "--bootstrap")) {
            alone.sayBytes(new byte[] {(byte) 0xC3, (byte) 0x28, '\n'});            // invalid UTF-8
            alone.say("x".repeat(ChatCommand.MAX_LINE + 10));                       // oversized line
            alone.say("y".repeat(ChatCommand.MAX_TEXT + 1));                        // oversized message
            alone.say("/nope");
            alone.say("/nick " + "n".repeat(ChatCommand.MAX_NICK + 1));
            alone.say("still here");
            await().atMost(WAIT).until(() -> alone.texts().contains("still here"));
            List<String> kinds = alone.events("error").stream().map(e -> e.get("kind").asText()).toList();
            assertThat(kinds).containsExactly("InvalidUtf8", "LineTooLong", "MessageTooLong", "UnknownCommand",
                    "InvalidInputException");
            alone.say("/nick solo2");
            await().atMost(WAIT).until(() -> !alone.events("nick").isEmpty());
            assertThat(alone.events("nick").get(0).get("to").asText()).isEqualTo("solo2");
            alone.stop();
        }
    }

    @Test
    void aDatabaseThatCannotBeWrittenIsAClearError() {
        Cli.Result r = Cli.run("chat", "--json", "--db", dir.resolve("missing/dir/chat.db").toString(), "--bind", "127.0.0.1");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out() + r.err()).contains("InvalidInput", "cannot keep the chat's key").doesNotContain("Exception\n\tat");
    }

    @Test
    void malformedPayloadsFromAPeerAreCountedNotShown() {
        assertThat(ChatCommand.parse("{\"type\":\"message\",\"nick\":\"a\",\"text\":\"b\"}".getBytes(StandardCharsets.UTF_8)))
                .containsEntry("text", "b");
        assertThat(ChatCommand.parse("{\"type\":1}".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(ChatCommand.parse("[1,2]".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(ChatCommand.parse("{\"a\":\"b\"} trailing".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(ChatCommand.parse(new byte[] {(byte) 0xFF, 0x00})).isNull();
    }
}
