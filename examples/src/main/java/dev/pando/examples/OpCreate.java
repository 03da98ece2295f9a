package dev.pando.examples;

import dev.pando.Hash;
import dev.pando.Header;
import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.OperationBuilder;
import dev.pando.PrivateKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pando op create}: builds and signs one operation with {@link Operation#builder} and prints
 * {@code {"header": hex, "id": hex, "body": hex|null}}, which is also a line {@code store import}
 * reads ({@link OperationLines}). The builder's validation applies, so e.g. {@code --seq 1}
 * without {@code --backlink} fails with {@code BacklinkMissing}.
 */
@Command(name = "create", mixinStandardHelpOptions = true, sortOptions = false, sortSynopsis = false,
        description = {"Builds and signs an operation; prints {\"header\": hex, \"id\": hex, \"body\": hex|null}.",
                "That line is also an import line: pando store import reads header and body from it."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  pando key generate > me.json",
            "  pando op create --key-file me.json --body-utf8 hello",
            "  pando op create --key-file me.json --seq 1 --backlink <id> --body-utf8 again",
            "  pando op create --key-file me.json --body-utf8 hi >> ops.jsonl"})
final class OpCreate implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    KeyOptions key;

    /** The author's key: in hex on the command line, or from a key file. */
    static final class KeyOptions {
        @Option(names = "--key-file", paramLabel = "FILE",
                description = "The author's key: a file holding the output of pando key generate.")
        Path file;

        @Option(names = "--key-hex", paramLabel = "HEX",
                description = "The author's private key as 64 hex characters. Visible in process listings: "
                        + "prefer --key-file on shared machines.")
        String hex;

        PrivateKey privateKey() {
            return file != null ? KeyFile.read(file) : OptionValues.privateKey("--key-hex", hex);
        }
    }

    @Option(names = "--seq", paramLabel = "N", converter = OptionValues.SeqNum.class, defaultValue = "0",
            description = "seq_num, 0 to 2^63-1 (default: ${DEFAULT-VALUE}).")
    long seq;

    @Option(names = "--backlink", paramLabel = "HASH",
            description = "Id of the previous operation in the log (required when --seq > 0).")
    String backlink;

    @Option(names = "--timestamp", paramLabel = "MICROS", converter = OptionValues.UnsignedLong.class,
            description = "Microseconds since the Unix epoch, unsigned 64-bit (default: now).")
    Long timestamp;

    @Option(names = "--previous", paramLabel = "HASH",
            description = "Id of an operation this one depends on; repeatable, at most " + Header.MAX_PREVIOUS + ".")
    List<String> previous = new ArrayList<>();

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    BodyOptions body;

    @Option(names = "--log-id", paramLabel = "HEX",
            description = "The log id (\"log_id\" extension), at most " + LogId.MAX_LENGTH + " bytes (default: the empty log).")
    String logId;

    @Option(names = "--prune", description = "Sets the prune flag: the log may start at this operation.")
    boolean prune;

    @Override
    public Integer call() {
        OperationBuilder b = Operation.builder(key.privateKey()).seqNum(seq);
        if (backlink != null) {
            b.backlink(OptionValues.hash("--backlink", backlink));
        }
        if (timestamp != null) {
            b.timestamp(timestamp);
        }
        if (previous.size() > Header.MAX_PREVIOUS) {
            throw new InvalidInputException("at most " + Header.MAX_PREVIOUS + " --previous hashes are allowed, got "
                    + previous.size());
        }
        List<Hash> prev = new ArrayList<>(previous.size());
        for (String p : previous) {
            prev.add(OptionValues.hash("--previous", p));
        }
        b.previous(prev);
        if (body != null) {
            b.body(body.bytes(OptionValues::hex));
        }
        if (logId != null) {
            byte[] id = OptionValues.hex("--log-id", logId);
            if (id.length > LogId.MAX_LENGTH) {
                throw new InvalidInputException("--log-id must be at most " + LogId.MAX_LENGTH + " bytes, got " + id.length);
            }
            b.logId(LogId.of(id));
        }
        b.prune(prune);
        Operation op = b.build();
        try (JsonOut json = JsonOut.object(spec.commandLine().getOut())) {
            // with "body" the line is also one that store import reads
            json.string("header", OptionValues.hexOf(op.headerBytes()))
                    .string("id", op.id().hex())
                    .string("body", op.body().map(payload -> OptionValues.hexOf(payload.bytes())).orElse(null));
        }
        return Pando.EXIT_OK;
    }
}
