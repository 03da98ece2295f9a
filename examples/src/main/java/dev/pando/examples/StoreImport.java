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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pando store import --db FILE}: reads JSON lines {@code {"header": hex, "body": hex|null}}
 * from stdin and ingests them in batches through the node's ingest pipeline. Streams: holds one
 * batch and at most one line of {@code --max-line} bytes. Bad lines are counted and skipped; the
 * import goes on. Prints one JSON object of counts.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Reads JSON lines {\"header\": hex, \"body\": hex|null} from stdin and ingests them "
                + "(validated, ordered, deduplicated) into the store. Prints one JSON object: lines, malformed "
                + "(not such a JSON line), oversized (longer than --max-line, skipped unread), stored (= inserted "
                + "+ released), inserted, released (stored once their predecessor came), duplicate, outdated "
                + "(before a pruned point), pending (results that had to wait), unplaced (still waiting at the "
                + "end: not stored), fork, rejected {kind: count}, evicted {reason: count}.",
                "Exit 0 whatever the input held; 1 if the store fails."})
final class StoreImport implements Callable<Integer> {
    private static final int IN_FLIGHT = 2;

    @Spec
    CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Option(names = "--batch", defaultValue = "1000", paramLabel = "N",
            description = "Operations per store transaction (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--max-line", defaultValue = "1048576", paramLabel = "BYTES",
            description = "Longest line read; longer ones are skipped and counted (default: ${DEFAULT-VALUE}).")
    int maxLine;

    @Override
    public Integer call() {
        if (batch < 1 || maxLine < 1) {
            throw new InvalidInputException("--batch and --max-line must be at least 1");
        }
        Pando root = (Pando) spec.root().userObject();
        long lines = 0;
        long malformed = 0;
        long oversized = 0;
        IngestCounters counters;
        try (Store s = store.open(false); Ingest ingest = Ingest.create(s)) {
            BoundedLineReader reader = new BoundedLineReader(root.stdin(), maxLine);
            List<IngestInput> inputs = new ArrayList<>(batch);
            Deque<CompletableFuture<List<IngestResult>>> outstanding = new ArrayDeque<>();
            for (byte[] line = reader.next(); line != null; line = reader.next()) {
                lines++;
                if (line == BoundedLineReader.TOO_LONG) {
                    oversized++;
                    continue;
                }
                try {
                    inputs.add(OperationLines.parse(line));
                } catch (InvalidInputException e) {
                    malformed++;
                    continue;
                }
                if (inputs.size() == batch) {
                    submit(ingest, inputs, outstanding);
                    inputs = new ArrayList<>(batch);
                }
            }
            submit(ingest, inputs, outstanding);
            while (!outstanding.isEmpty()) {
                await(outstanding.poll());
            }
            counters = ingest.counters();
        }
        print(spec.commandLine().getOut(), lines, malformed, oversized, counters);
        return Pando.EXIT_OK;
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
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private static void print(PrintWriter out, long lines, long malformed, long oversized, IngestCounters c) {
        try (JsonGenerator g = OperationLines.generator(out)) {
            g.writeStartObject();
            g.writeNumberField("lines", lines);
            g.writeNumberField("malformed", malformed);
            g.writeNumberField("oversized", oversized);
            g.writeNumberField("stored", c.inserted() + c.released());
            g.writeNumberField("inserted", c.inserted());
            g.writeNumberField("released", c.released());
            g.writeNumberField("duplicate", c.duplicate());
            g.writeNumberField("outdated", c.outdated());
            g.writeNumberField("pending", c.pending());
            g.writeNumberField("unplaced", c.pendingOperations());
            g.writeNumberField("fork", c.fork());
            g.writeObjectFieldStart("rejected");
            for (Map.Entry<OperationError, Long> e : new java.util.TreeMap<>(c.rejected()).entrySet()) {
                g.writeNumberField(e.getKey().wireName(), e.getValue());
            }
            g.writeEndObject();
            g.writeObjectFieldStart("evicted");
            for (Map.Entry<EvictionReason, Long> e : new java.util.TreeMap<>(c.evicted()).entrySet()) {
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
}
