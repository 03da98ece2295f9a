package dev.pando.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code net listen} and {@code net ping} as separate processes started through the real
 * {@code ./pando} launcher. Runs in the integration-test phase (failsafe), after {@code package}
 * has written the jars and the module list the launcher uses, so the launcher does not rebuild.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class NetLauncherIT {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Path LAUNCHER = Path.of("..", "pando").toAbsolutePath().normalize();

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() throws InterruptedException {
        for (Process p : started) {
            if (p.isAlive()) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void listenThenPingThroughTheLauncher() throws Exception {
        assertThat(Files.isExecutable(LAUNCHER)).as(LAUNCHER.toString()).isTrue();
        Process listener = start("net", "listen");
        BufferedReader out = reader(listener);
        JsonNode first = MAPPER.readTree(line(out, listener));
        assertThat(first.get("listening").asBoolean()).isTrue();
        String address = first.get("address").asText();
        assertThat(address).startsWith(first.get("node_id").asText() + "@127.0.0.1:");

        Process ping = start("net", "ping", address, "--count", "2");
        String pingOut = new String(ping.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(ping.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(ping.exitValue()).as(pingOut).isZero();
        assertThat(pingOut.lines().count()).isEqualTo(1);
        JsonNode result = MAPPER.readTree(pingOut);
        assertThat(result.get("remote_node_id").asText()).isEqualTo(first.get("node_id").asText());
        assertThat(result.get("rtt_ms")).hasSize(2);

        // closing stdin stops the listener, which prints its summary and exits 0
        listener.getOutputStream().close();
        JsonNode summary = MAPPER.readTree(line(out, listener));
        assertThat(listener.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(listener.exitValue()).isZero();
        assertThat(summary.get("stopped").asText()).isEqualTo("stdin closed");
        assertThat(summary.get("pings").asLong()).isEqualTo(2);
        assertThat(out.readLine()).isNull();
    }

    @Test
    void sigtermStopsTheListenerWithASummary() throws Exception {
        Process listener = start("net", "listen", "--until-signal");
        BufferedReader out = reader(listener);
        JsonNode first = MAPPER.readTree(line(out, listener));
        assertThat(first.get("listening").asBoolean()).isTrue();
        listener.getOutputStream().close(); // ignored

        // SIGTERM; Process.destroy() would also close our end of its stdout before we read the summary
        assertThat(listener.toHandle().destroy()).isTrue();
        JsonNode summary = MAPPER.readTree(line(out, listener));
        assertThat(listener.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(summary.get("stopped").asText()).isEqualTo("signal");
        assertThat(summary.get("pings").asLong()).isZero();
        assertThat(listener.exitValue()).isEqualTo(128 + 15);
    }

    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(LAUNCHER.toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        started.add(p);
        return p;
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    /** The next stdout line, or a failure if the process ends or prints nothing within 90 s. */
    private static String line(BufferedReader out, Process p) throws Exception {
        CompletableFuture<String> next = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String line = next.get(90, TimeUnit.SECONDS);
        if (line == null) {
            throw new AssertionError("the process ended (exit " + p.waitFor() + ") without printing a line");
        }
        return line;
    }
}
