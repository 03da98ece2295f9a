package dev.pando.examples;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.pando.spi.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code pando store check --db FILE}: opens the database through its store provider (which
 * checks the schema) and reads every log back, verifying that each is a gap-free chain of valid
 * operations (see {@link LogChainCheck}), after the storage engine's own check
 * ({@link Store#checkIntegrity()}: SQLite's {@code PRAGMA integrity_check}).
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Opens a store and checks that every log is a gap-free chain of valid operations "
                + "(a log may start at a prune point). Runs the storage engine's integrity check first (SQLite: PRAGMA integrity_check). Prints {\"ok\", \"integrity_problems\", \"logs\", \"operations\", \"bytes\", "
                + "\"problem_count\", \"problems\": [first 100]}.",
                "Exit 0 if everything checks out, 1 on any problem or if the database cannot be read."})
final class StoreCheck implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() {
        LogChainCheck.Report report;
        java.util.List<String> engineProblems;
        try (Store s = store.open(true)) {
            engineProblems = s.checkIntegrity();
            report = LogChainCheck.run(s);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (JsonGenerator g = OperationLines.generator(out)) {
            g.writeStartObject();
            g.writeBooleanField("ok", report.ok() && engineProblems.isEmpty());
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
            for (String p : report.problems()) {
                g.writeString(p);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new InvalidInputException("cannot write the result: " + e.getMessage(), e);
        }
        out.println();
        out.flush();
        return report.ok() && engineProblems.isEmpty() ? Pando.EXIT_OK : Pando.EXIT_INVALID;
    }
}
