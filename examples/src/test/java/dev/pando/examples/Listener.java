package dev.pando.examples;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs {@code pando net listen …} in-process on its own thread, with a stdin the test ends by
 * {@link #closeStdin()} and a stdout it can read while the command runs.
 */
final class Listener implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final StringBuffer out = new StringBuffer();
    private final StringWriter err = new StringWriter();
    private final CountDownLatch stdinOpen = new CountDownLatch(1);
    private final AtomicInteger stdinReads = new AtomicInteger();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Signals signals = new Signals();

    private Listener(String[] all) {
        InputStream stdin = new InputStream() {
            @Override
            public int read() throws IOException {
                stdinReads.incrementAndGet();
                try {
                    stdinOpen.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                return -1;
            }
        };
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
                exit.complete(Pando.run(all, stdin, signals, sink, err));
            } catch (Throwable e) {
                exit.completeExceptionally(e);
            }
        }, "test-listener");
        t.setDaemon(true);
        t.start();
    }

    /** Starts {@code pando net listen args…} and waits for its first line (or for it to fail). */
    static Listener start(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "net";
        all[1] = "listen";
        System.arraycopy(args, 0, all, 2, args.length);
        return startCommand(all);
    }

    /** Starts {@code pando args…} (a command that runs until stdin ends) and waits for its first line. */
    static Listener startCommand(String... all) {
        Listener l = new Listener(all);
        await().atMost(Duration.ofSeconds(60)).until(() -> l.out.indexOf("\n") >= 0 || l.exit.isDone());
        return l;
    }

    /** The first line: {"listening": true, …}, or the error the command printed. */
    JsonNode first() {
        return line(0);
    }

    String address() {
        JsonNode first = first();
        if (!first.path("listening").asBoolean()) {
            throw new AssertionError("the listener did not start: " + out + " " + err);
        }
        return first.get("address").asText();
    }

    /** Ends stdin, waits for the command to end, and returns the summary line. */
    JsonNode stop() {
        closeStdin();
        int code = exitCode();
        if (code != 0) {
            throw new AssertionError("listener exited with " + code + ": " + out + " " + err);
        }
        return line(1);
    }

    /**
     * Does what SIGTERM does to the process (starts the shutdown hooks), waits for the command to
     * end, and returns the summary line.
     */
    JsonNode signal() {
        signals.fire();
        int code = exitCode();
        if (code != 0) {
            throw new AssertionError("listener exited with " + code + ": " + out + " " + err);
        }
        return line(1);
    }

    /** How often the command read its stdin. */
    int stdinReads() {
        return stdinReads.get();
    }

    /** What the command wrote to stderr so far. */
    String err() {
        return err.toString();
    }

    void closeStdin() {
        stdinOpen.countDown();
    }

    int exitCode() {
        try {
            return exit.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("the listener did not end: " + out + " " + err, e);
        }
    }

    /** Every line printed so far, parsed. */
    List<JsonNode> json() {
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < lines(); i++) {
            out.add(line(i));
        }
        return out;
    }

    /** Ends stdin, waits for the command to end with exit code 0, and returns every line. */
    List<JsonNode> stopAll() {
        closeStdin();
        int code = exitCode();
        if (code != 0) {
            throw new AssertionError("the command exited with " + code + ": " + out + " " + err);
        }
        return json();
    }

    /** The number of lines printed so far. */
    long lines() {
        return out.chars().filter(c -> c == '\n').count();
    }

    private JsonNode line(int index) {
        String[] lines = out.toString().split("\n");
        if (lines.length <= index) {
            throw new AssertionError("no line " + index + " in <" + out + ">");
        }
        try {
            return MAPPER.readTree(lines[index]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JVM's shutdown hooks, as far as a command sees them: started by {@link #fire()}. */
    private static final class Signals implements ShutdownHooks {
        private final List<Thread> hooks = new ArrayList<>();
        private boolean fired;

        @Override
        public synchronized void add(Thread hook) {
            hooks.add(hook);
        }

        @Override
        public synchronized void remove(Thread hook) {
            if (fired) {
                throw new IllegalStateException("shutdown in progress");
            }
            hooks.remove(hook);
        }

        synchronized void fire() {
            if (!fired) {
                fired = true;
                hooks.forEach(Thread::start);
            }
        }
    }

    @Override
    public void close() {
        signals.fire();
        closeStdin();
        exit.orTimeout(60, TimeUnit.SECONDS).exceptionally(e -> -1).join();
    }
}
