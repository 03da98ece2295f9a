package dev.pando.examples;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.PublicKey;
import dev.pando.spi.RawOperation;
import dev.pando.spi.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pando store export --db FILE [--author HEX] [--log-id HEX]}: writes the store's operations
 * as JSON lines, the format {@code store import} reads, ordered by author, log id and seq. Pages
 * through each log, so memory stays bounded whatever the store holds. A JSON-lines command: it
 * prints one JSON object per operation, nothing at all for an empty store, and on a failure the
 * usual error object as its last line (exit 1). Opens the store read-only.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes the operations of a store as JSON lines {\"header\": hex, \"body\": hex|null}, "
                + "ordered by author, log id and seq (the format store import reads): one line per operation, "
                + "none for an empty store. Opens the store read-only.",
                "Exit 1 if the database does not exist or cannot be read; the last "
                        + "line is then {\"error\": KIND, \"message\": …}."})
final class StoreExport implements Callable<Integer> {
    private static final int PAGE = 1000;

    @Spec
    CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Option(names = "--author", paramLabel = "HEX", description = "Only this author's logs (public key).")
    String author;

    @Option(names = "--log-id", paramLabel = "HEX", description = "Only logs with this log id (empty string: the default log).")
    String logId;

    @Override
    public Integer call() {
        PublicKey onlyAuthor = author == null ? null : parseAuthor(author);
        LogId onlyLog = logId == null ? null : parseLogId(logId);
        PrintWriter out = spec.commandLine().getOut();
        try (Store s = store.open(StoreOptions.Access.READ); JsonGenerator g = OperationLines.generator(out)) {
            for (LogKey log : s.logs()) {
                if ((onlyAuthor != null && !onlyAuthor.equals(log.author()))
                        || (onlyLog != null && !onlyLog.equals(log.logId()))) {
                    continue;
                }
                long from = 0;
                while (true) {
                    List<RawOperation> page = s.rawLog(log.author(), log.logId(), from, PAGE);
                    for (RawOperation op : page) {
                        OperationLines.write(g, op);
                    }
                    if (page.size() < PAGE) {
                        break;
                    }
                    from = page.get(page.size() - 1).seqNum() + 1;
                }
                g.flush();
            }
        } catch (IOException e) {
            throw new InvalidInputException("cannot write the export: " + e.getMessage(), e);
        }
        out.flush();
        return Pando.EXIT_OK;
    }

    private static PublicKey parseAuthor(String hex) {
        byte[] bytes = OptionValues.hex("--author", hex);
        if (bytes.length != PublicKey.LENGTH) {
            throw new InvalidInputException("--author must be a public key of " + PublicKey.LENGTH * 2
                    + " hex characters, got " + hex.length());
        }
        return PublicKey.fromBytes(bytes);
    }

    private static LogId parseLogId(String hex) {
        byte[] bytes = OptionValues.hex("--log-id", hex);
        if (bytes.length > LogId.MAX_LENGTH) {
            throw new InvalidInputException("--log-id is at most " + LogId.MAX_LENGTH + " bytes, got " + bytes.length);
        }
        return LogId.of(bytes);
    }
}
