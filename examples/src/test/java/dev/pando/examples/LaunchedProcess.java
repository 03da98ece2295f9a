package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/** A process the test launched (./pando …): its stdout read as JSON lines as they come, its stdin written by the test. */
final class LaunchedProcess {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** A stdout line and when this JVM read it. */
    record Line(long nanos, JsonNode json) {
    }

    private final String name;
    private final Process process;
    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final List<String> notJson = new CopyOnWriteArrayList<>();
    private final Thread reader;

    LaunchedProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.reader = new Thread(this::read, "launched-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                long now = System.nanoTime();
                try {
                    lines.add(new Line(now, MAPPER.readTree(line)));
                } catch (IOException e) {
                    notJson.add(line);
                }
            }
        } catch (IOException e) {
            // the process was killed
        }
    }

    String name() {
        return name;
    }

    List<JsonNode> events() {
        return lines.stream().map(Line::json).toList();
    }

    /** Writes a line to its stdin; returns when it was flushed ({@link System#nanoTime()}). */
    long send(String text) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((text + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        return System.nanoTime();
    }

    void endInput() throws IOException {
        process.getOutputStream().close();
    }

    JsonNode awaitEvent(Predicate<JsonNode> match, Duration within) {
        return awaitLine(match, within).json();
    }

    /** The first stdout line that matches; fails with everything it printed if none comes in time or it exits. */
    Line awaitLine(Predicate<JsonNode> match, Duration within) {
        try {
            return await().atMost(within).pollInterval(Duration.ofMillis(20))
                    .failFast(name + " exited", () -> !process.isAlive() && !reader.isAlive() && find(match).isEmpty())
                    .until(() -> find(match), Optional::isPresent).orElseThrow();
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new AssertionError(e.getMessage() + "; " + name + " printed " + events()
                    + (notJson.isEmpty() ? "" : " and non-JSON " + notJson), e);
        }
    }

    private Optional<Line> find(Predicate<JsonNode> match) {
        return lines.stream().filter(l -> match.test(l.json())).findFirst();
    }

    int exit(Duration within) throws InterruptedException {
        assertThat(process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)).as(name + " exits").isTrue();
        assertThat(notJson).as(name + ": stdout lines that are not JSON").isEmpty();
        return process.exitValue();
    }

    /** Ends the process (the JVM: ip netns exec and the launcher exec into it) and anything it started. */
    void kill() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
