package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.Body;
import dev.pando.InvalidOperationException;
import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.OperationError;
import dev.pando.PrivateKey;
import dev.pando.TopicId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The API tour of the root README.md, verbatim between the markers, so that it keeps compiling and
 * doing what it says. Change both together.
 */
class ReadmeTourTest {
    @Test
    void theTourRuns() {
        // README-TOUR-BEGIN
        // a key pair: the private key is a 32-byte Ed25519 seed, the public key identifies the author
        PrivateKey key = PrivateKey.generate();

        // build and sign the first operation of the author's log for a topic
        TopicId topic = TopicId.named("chat/lobby");
        Operation first = Operation.builder(key)
                .logId(LogId.forTopic(topic))
                .body("hello".getBytes(StandardCharsets.UTF_8))
                .build();
        byte[] header = first.headerBytes();      // the exact bytes to store and send
        System.out.println(first.id());           // BLAKE3(header), lowercase hex

        // a receiver decodes and validates (signature, version, payload, seq/backlink, body)
        Operation received = Operation.decode(header, first.body().map(Body::bytes).orElse(null));
        received.validate();                      // throws InvalidOperationException with a kind()

        // continue the log: seq 1, backlink = id of the first, same log id
        Operation second = Operation.builder(key).after(first)
                .body("world".getBytes(StandardCharsets.UTF_8))
                .build();
        second.validateAfter(first);              // same author, seq + 1, backlink matches
        // README-TOUR-END

        assertThat(received.id()).isEqualTo(first.id());
        assertThat(second.seqNum()).isEqualTo(1);
        assertThat(second.header().backlink()).contains(first.id());
        assertThat(second.logId()).isEqualTo(LogId.forTopic(topic));
        Operation stranger = Operation.builder(PrivateKey.generate()).seqNum(1).backlink(first.id()).build();
        assertThatThrownBy(() -> stranger.validateAfter(first))
                .isInstanceOfSatisfying(InvalidOperationException.class,
                        e -> assertThat(e.kind()).isEqualTo(OperationError.TOO_MANY_AUTHORS));
    }

    @Test
    void theReadmeShowsExactlyThisCode() throws IOException {
        // surefire runs in the module directory
        List<String> source = Files.readAllLines(Path.of("src/test/java/dev/pando/examples/ReadmeTourTest.java"));
        List<String> tour = source.subList(source.indexOf("        // README-TOUR-BEGIN") + 1,
                source.indexOf("        // README-TOUR-END"));
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("```java\n", readme.indexOf("## API tour")) + "```java\n".length();
        String block = readme.substring(start, readme.indexOf("```", start));
        assertThat(block.lines().map(String::strip).toList())
                .isEqualTo(tour.stream().map(String::strip).toList());
    }
}
