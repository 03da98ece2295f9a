package dev.pando.integration;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.TopicId;
import dev.pando.node.EventStream;
import dev.pando.node.MessageStream;
import dev.pando.node.Node;
import dev.pando.node.TopicMessage;
import dev.pando.node.TopicSubscription;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The two-node example of node/README.md, verbatim between the markers: it compiles and runs. */
class NodeReadmeTest {
    @Test
    void theReadmeExampleRuns() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(printed, true, UTF_8));
        try {
            example();
        } finally {
            System.setOut(original);
        }
        assertThat(printed.toString(UTF_8)).contains(": hello from alice (SYNC)");
    }

    private static void example() throws Exception {
        // README-NODE-BEGIN
        TopicId topic = TopicId.named("chat/lobby");
        try (Node alice = Node.builder().bind(new InetSocketAddress("127.0.0.1", 0)).start();
             Node bob = Node.builder().bind(new InetSocketAddress("127.0.0.1", 0))
                     .peer(alice.address())                       // how bob finds alice
                     .start()) {
            TopicSubscription a = alice.subscribe(topic);
            a.publish("hello from alice".getBytes(UTF_8));       // stored now, sent when a peer is there

            TopicSubscription b = bob.subscribe(topic);
            MessageStream messages = b.messages();               // history first, then new, no gap
            TopicMessage m = messages.poll(Duration.ofSeconds(30)).orElseThrow();
            if (m instanceof TopicMessage.Stored s) {
                System.out.println(s.author() + ": " + new String(s.payload(), UTF_8) + " (" + s.source() + ")");
            }
            EventStream events = bob.eventStream();              // or bob.events(): a Flow.Publisher
            events.poll(Duration.ofSeconds(1)).ifPresent(System.out::println);
        }
        // README-NODE-END
    }

    @Test
    void theReadmeShowsExactlyThisCode() throws IOException {
        String readme = Files.readString(Path.of("../node/README.md"));
        String test = Files.readString(Path.of("src/test/java/dev/pando/integration/NodeReadmeTest.java"));
        assertThat(strip(block(readme))).isEqualTo(strip(block(test)));
    }

    private static String block(String text) {
        int begin = text.indexOf("README-NODE-BEGIN");
        int end = text.indexOf("README-NODE-END");
        String inner = text.substring(text.indexOf('\n', begin) + 1, text.lastIndexOf('\n', end));
        return inner.replace("```java", "").replace("```", "");
    }

    /** The lines without their indentation and blank lines: the README is not indented like the test. */
    private static String strip(String block) {
        return block.lines().map(String::strip).filter(l -> !l.isEmpty()).reduce("", (x, y) -> x + y + "\n");
    }
}
