package dev.pando.examples;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.pando.OperationError;
import dev.pando.node.EvictionReason;
import dev.pando.node.Ingest;
import dev.pando.node.IngestCounters;
import dev.pando.node.IngestInput;
import dev.pando.node.IngestResult;
import dev.pando.spi.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code pando store import --db FILE}: reads JSON lines {@code {"header": hex, "body": hex|null}}
 * from stdin and ingests them in batches through the node's ingest pipeline. Streams: holds at most
 * {@value #IN_FLIGHT} batches plus the one being read (each at most {@code --batch} lines and about
 * {@value #BATCH_BYTES} bytes) and one line of at most {@code --max-line} bytes. Bad lines are
 * counted and skipped; the import goes on. Prints one JSON object of counts; with
 * {@code "error": "NothingStored"} and exit 1 if there were lines and none of them was stored or
 * found stored already. Running out of heap is the error {@code ResourceExhausted}, not a crash.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Reads JSON lines {\"header\": hex, \"body\": hex|null} from stdin and ingests them "
                + "(validated, ordered, deduplicated) into the store. Prints one JSON object: lines, malformed "
                + "(not such a JSON line), oversized (longer than --max-line, skipped unread), header_too_large "
                + "(a header over 64 KiB), stored (= inserted + released), inserted, released (stored once their "
                + "predecessor came), duplicate, outdated (before a pruned point), pending (results that had to "
                + "wait), unplaced (still waiting at the end: not stored), fork, rejected {kind: count}, "
                + "evicted {reason: count}.",
                "Progress (lines, rate, counts) goes to stderr every second while stderr is a terminal "
                        + "(--progress / --no-progress force it on or off).",
                "Exit 0 if anything was stored or found stored already (or the input was empty); 1 if lines were "
                        + "read but none could be stored (\"error\": \"NothingStored\", with the counts), if the "
                        + "store fails (StoreBusy, StoreReadOnly, …) or memory runs out (ResourceExhausted); "
                        + "2 for --batch or --max-line out of range."})
final class StoreImport implements Callable<Integer> {
    static final int MAX_BATCH = 100_000;
    static final int MAX_LINE = 64 * 1024 * 1024;
    /** A batch is handed on when its lines hold this many bytes, whatever --batch says. */
    static final int BATCH_BYTES = 8 * 1024 * 1024;
    static final String NOTHING_STORED = "NothingStored";
    private static final int IN_FLIGHT = 2;
    private static final long PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(1);

    @Spec
    CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Option(names = "--batch", defaultValue = "1000", paramLabel = "N",
            description = "Operations per store transaction, 1 to " + MAX_BATCH + " (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--max-line", defaultValue = "1048576", paramLabel = "BYTES",
            description = "Longest line read, 1 to " + MAX_LINE + " (64 MiB); longer ones are skipped and counted "
                    + "(default: ${DEFAULT-VALUE}). A line needs about five times its length in heap.")
    int maxLine;

    @Option(names = "--progress", negatable = true,
            description = "Report progress on stderr (default: only while stderr is a terminal).")
    Boolean progress;

    private long lines;
    private long malformed;
    private long oversized;

    @Override
    public Integer call() {
        if (batch < 1 || batch > MAX_BATCH) {
            throw new ParameterException(spec.commandLine(),
                    "--batch must be between 1 and " + MAX_BATCH + ", got " + batch);
        }
        if (maxLine < 1 || maxLine > MAX_LINE) {
            throw new ParameterException(spec.commandLine(),
                    "--max-line must be between 1 and " + MAX_LINE + " (64 MiB), got " + maxLine);
        }
        Pando root = (Pando) spec.root().userObject();
        Progress report = Boolean.TRUE.equals(progress) || (progress == null && stderrIsTerminal())
                ? new Progress(spec.commandLine().getErr(), progress == null) : null;
        IngestCounters counters;
        try (Store s = store.open(StoreOptions.Access.WRITE); Ingest ingest = Ingest.create(s)) {
            try {
                read(root, ingest, report);
            } catch (OutOfMemoryError e) {
                // the batches and the line were dropped with read()'s frame; the store holds whole batches only
                throw new StoreCommand.ResourceExhaustedException("ran out of memory with " + lines + " lines read (the heap "
                        + "holds at most " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB): lower --max-line "
                        + "(now " + maxLine + ") or --batch (now " + batch + "), or give Java more heap "
                        + "(PANDO_JAVA_OPTS=-Xmx…)", e);
            }
            counters = ingest.counters();
        }
        if (report != null) {
            report.print(lines, malformed, counters, true);
        }
        long stored = counters.inserted() + counters.released();
        boolean nothing = lines > 0 && stored == 0 && counters.duplicate() == 0 && counters.outdated() == 0;
        print(spec.commandLine().getOut(), counters, nothing);
        return nothing ? Pando.EXIT_INVALID : Pando.EXIT_OK;
    }

    private void read(Pando root, Ingest ingest, Progress report) {
        BoundedLineReader reader = new BoundedLineReader(root.stdin(), maxLine);
        List<IngestInput> inputs = new ArrayList<>();
        long inputBytes = 0;
        Deque<CompletableFuture<List<IngestResult>>> outstanding = new ArrayDeque<>();
        for (int n = reader.next(); n != BoundedLineReader.END; n = reader.next()) {
            lines++;
            if (report != null && (lines & 1023) == 0) {
                report.maybePrint(lines, malformed, ingest);
            }
            if (n == BoundedLineReader.TOO_LONG) {
                oversized++;
                continue;
            }
            IngestInput input;
            try {
                input = OperationLines.parse(reader.line(), 0, n);
            } catch (InvalidInputException e) {
                malformed++;
                continue;
            }
            inputs.add(input);
            inputBytes += input.size();
            if (inputs.size() >= batch || inputBytes >= BATCH_BYTES) {
                submit(ingest, inputs, outstanding);
                inputs = new ArrayList<>();
                inputBytes = 0;
                if (report != null) {
                    report.maybePrint(lines, malformed, ingest);
                }
            }
        }
        if (!inputs.isEmpty()) {
            submit(ingest, inputs, outstanding);
        }
        while (!outstanding.isEmpty()) {
            await(outstanding.poll());
        }
    }

    /**
     * Hands a batch to the pipeline and keeps at most {@value #IN_FLIGHT} in flight: one is stored
     * while the next is verified, and memory stays bounded by a few batches.
     */
    private static void submit(Ingest ingest, List<IngestInput> inputs,
            Deque<CompletableFuture<List<IngestResult>>> outstanding) {
        outstanding.add(ingest.ingestBatchAsync(inputs));
        while (outstanding.size() > IN_FLIGHT) {
            await(outstanding.poll());
        }
    }

    private static void await(CompletableFuture<List<IngestResult>> batch) {
        try {
            batch.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof OutOfMemoryError oom) {
                throw oom; // a pipeline thread ran out: reported like our own
            }
            throw e;
        }
    }

    private void print(PrintWriter out, IngestCounters c, boolean nothingStored) {
        try (JsonGenerator g = OperationLines.generator(out)) {
            g.writeStartObject();
            if (nothingStored) {
                g.writeStringField("error", NOTHING_STORED);
                g.writeStringField("message", "none of the " + lines + " lines could be stored (" + malformed
                        + " malformed, " + oversized + " oversized, " + c.headerTooLarge() + " with a header too large, "
                        + c.rejectedTotal() + " rejected, " + c.fork() + " forks, " + c.pendingOperations()
                        + " still missing their predecessor)");
            }
            g.writeNumberField("lines", lines);
            g.writeNumberField("malformed", malformed);
            g.writeNumberField("oversized", oversized);
            g.writeNumberField("header_too_large", c.headerTooLarge());
            g.writeNumberField("stored", c.inserted() + c.released());
            g.writeNumberField("inserted", c.inserted());
            g.writeNumberField("released", c.released());
            g.writeNumberField("duplicate", c.duplicate());
            g.writeNumberField("outdated", c.outdated());
            g.writeNumberField("pending", c.pending());
            g.writeNumberField("unplaced", c.pendingOperations());
            g.writeNumberField("fork", c.fork());
            g.writeObjectFieldStart("rejected");
            for (Map.Entry<OperationError, Long> e : new TreeMap<>(c.rejected()).entrySet()) {
                g.writeNumberField(e.getKey().wireName(), e.getValue());
            }
            g.writeEndObject();
            g.writeObjectFieldStart("evicted");
            for (Map.Entry<EvictionReason, Long> e : new TreeMap<>(c.evicted()).entrySet()) {
                g.writeNumberField(e.getKey().name(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new InvalidInputException("cannot write the result: " + e.getMessage(), e);
        }
        out.println();
        out.flush();
    }

    /**
     * Whether stderr is a terminal. {@link System#console()} needs stdin and stdout to be terminals
     * too, and an import's stdin is a file or a pipe; on Linux /proc names what fd 2 is. Elsewhere
     * progress is shown only when asked for.
     */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** Progress lines on stderr, at most one a second; on a terminal they overwrite each other. */
    private static final class Progress {
        private final PrintWriter err;
        private final boolean overwrite;
        private final long start = System.nanoTime();
        private long last = start;

        Progress(PrintWriter err, boolean overwrite) {
            this.err = err;
            this.overwrite = overwrite;
        }

        void maybePrint(long lines, long malformed, Ingest ingest) {
            long now = System.nanoTime();
            if (now - last >= PROGRESS_NANOS) {
                last = now;
                print(lines, malformed, ingest.counters(), false);
            }
        }

        void print(long lines, long malformed, IngestCounters c, boolean last) {
            double seconds = Math.max(1e-9, (System.nanoTime() - start) / 1e9);
            String text = String.format(Locale.ROOT,
                    "import: %,d lines in %.1f s (%,.0f lines/s): stored %,d, duplicate %,d, pending %,d, rejected %,d, "
                            + "malformed %,d, fork %,d",
                    lines, seconds, lines / seconds, c.inserted() + c.released(), c.duplicate(), c.pendingOperations(),
                    c.rejectedTotal() + c.headerTooLarge(), malformed, c.fork());
            if (overwrite) {
                err.print("\r" + text + "\u001B[K" + (last ? "\n" : ""));
            } else {
                err.println(text);
            }
            err.flush();
        }
    }
}
