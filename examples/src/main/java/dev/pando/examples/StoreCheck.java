package dev.pando.examples;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.pando.spi.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code pando store check --db FILE}: opens the database read-only through its store provider
 * (which checks the schema) and reads every log back, verifying that each is a gap-free chain of
 * valid operations (see {@link LogChainCheck}), after the storage engine's own check
 * ({@link Store#checkIntegrity()}: SQLite's {@code PRAGMA integrity_check}). A failed check prints
 * the report with {@code "error": "CheckFailed"} and a message, and exits 1.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Opens a store read-only and checks that every log is a gap-free chain of valid operations "
                + "(a log may start at a prune point). Runs the storage engine's integrity check first (SQLite: "
                + "PRAGMA integrity_check). Prints {\"ok\", [\"error\": \"CheckFailed\", \"message\",] \"integrity_problems\", "
                + "\"logs\", \"operations\", \"bytes\", \"problem_count\", \"problems\": [first 100 of "
                + "{\"kind\", \"author\", \"log_id\", \"seq\", \"message\"}]}.",
                "Exit 0 if everything checks out; 1 on any problem (\"error\": \"CheckFailed\") or if the database "
                        + "cannot be read (\"error\": \"StoreCorrupt\", \"StoreBusy\", …)."})
final class StoreCheck implements Callable<Integer> {
    /** The {@code error} kind of a check that found problems. */
    static final String CHECK_FAILED = "CheckFailed";

    @Spec
    CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        LogChainCheck.Report report;
        List<String> engineProblems;
        try (Store s = store.open(StoreOptions.Access.READ)) {
            engineProblems = s.checkIntegrity();
            report = LogChainCheck.run(s);
        }
        boolean ok = report.ok() && engineProblems.isEmpty();
        PrintWriter out = spec.commandLine().getOut();
        try (JsonGenerator g = OperationLines.generator(out)) {
            g.writeStartObject();
            g.writeBooleanField("ok", ok);
            if (!ok) {
                g.writeStringField("error", CHECK_FAILED);
                g.writeStringField("message", message(report, engineProblems));
            }
            g.writeArrayFieldStart("integrity_problems");
            for (String p : engineProblems) {
                g.writeString(p);
            }
            g.writeEndArray();
            g.writeNumberField("logs", report.logs());
            g.writeNumberField("operations", report.operations());
            g.writeNumberField("bytes", report.bytes());
            g.writeNumberField("problem_count", report.problemCount());
            g.writeArrayFieldStart("problems");
            for (LogChainCheck.Problem p : report.problems()) {
                g.writeStartObject();
                g.writeStringField("kind", p.kind());
                g.writeStringField("author", p.log().author().hex());
                g.writeStringField("log_id", p.log().logId().hex());
                g.writeNumberField("seq", p.seq());
                g.writeStringField("message", p.message());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new InvalidInputException("cannot write the result: " + e.getMessage(), e);
        }
        out.println();
        out.flush();
        return ok ? Pando.EXIT_OK : Pando.EXIT_INVALID;
    }

    private static String message(LogChainCheck.Report report, List<String> engineProblems) {
        StringBuilder m = new StringBuilder("the store has ");
        if (!engineProblems.isEmpty()) {
            m.append(engineProblems.size()).append(" integrity problem").append(engineProblems.size() == 1 ? "" : "s");
            if (!report.ok()) {
                m.append(" and ");
            }
        }
        if (!report.ok()) {
            m.append(report.problemCount()).append(" problem").append(report.problemCount() == 1 ? "" : "s")
                    .append(" in its logs");
        }
        return m.toString();
    }
}
