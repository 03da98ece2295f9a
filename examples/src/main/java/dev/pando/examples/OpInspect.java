package dev.pando.examples;

import dev.pando.Hash;
import dev.pando.Header;
import dev.pando.InvalidOperationException;
import dev.pando.Operation;
import dev.pando.OperationError;
import dev.pando.Signature;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code pando op inspect}: decodes and validates a header (rules 1–5 of docs/OPERATION-FORMAT.md), the
 * body against it if one is given, and the log rules against a predecessor header if one is given;
 * prints the header's fields, or {@code {"valid": false, "error": KIND, "message": …}} with the
 * {@link OperationError#wireName() wire name} of the first rule broken.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false, sortSynopsis = false,
        description = {"Decodes and validates an operation header; prints its fields as JSON.",
                "\"body_checked\": false means the header announces a payload and no --body or --body-utf8 was "
                        + "given: \"valid\" then covers the header only."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  pando op inspect <header hex> --body-utf8 hello",
            "  pando op inspect <header hex> --predecessor <previous header hex>",
            "  printf '%%s\\n' \"$header\" | pando op inspect -"})
final class OpInspect implements Callable<Integer> {
    /** Largest header read from stdin, in characters; a header is small, this only bounds memory. */
    static final int MAX_STDIN_CHARS = 4 * 1024 * 1024;
    private static final HexFormat HEX = HexFormat.of();

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HEADER_HEX",
            description = "The signed header as hex, or - to read it from stdin (surrounding whitespace is ignored).")
    String header;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    BodyOptions body;

    @Option(names = "--predecessor", paramLabel = "HEADER_HEX",
            description = "The header of the previous operation in the same log: checks author, seq_num and backlink.")
    String predecessor;

    @Override
    public Integer call() {
        byte[] headerBytes = decodeHex("the header", "-".equals(header) ? readStdin() : header);
        byte[] bodyBytes = body == null ? null : body.bytes(OpInspect::decodeHex);
        Operation op = Operation.decode(headerBytes, bodyBytes);
        Operation previous = null;
        if (predecessor != null) {
            byte[] predecessorBytes = decodeHex("the predecessor header", predecessor);
            try {
                previous = Operation.decode(predecessorBytes, null);
            } catch (InvalidOperationException e) {
                throw new InvalidOperationException(OperationError.DECODE,
                        "the predecessor header cannot be decoded: " + e.getMessage(), e);
            }
        }
        op.validate();
        if (previous != null) {
            op.validateAfter(previous);
        }
        Header h = op.header();
        // without a body, "valid" covers the header only: say so when it announces a payload
        boolean bodyChecked = bodyBytes != null || (h.payloadSize() == 0 && h.payloadHash().isEmpty());
        print(op, bodyChecked);
        return Pando.EXIT_OK;
    }

    private void print(Operation op, boolean bodyChecked) {
        Header h = op.header();
        try (JsonOut json = JsonOut.object(spec.commandLine().getOut())) {
            json.bool("valid", true)
                    .bool("body_checked", bodyChecked)
                    .string("id", op.id().hex())
                    .unsigned("version", h.version())
                    .string("public_key", h.publicKey().hex())
                    .string("signature", h.signature().map(Signature::hex).orElse(null))
                    .unsigned("payload_size", h.payloadSize())
                    .string("payload_hash", h.payloadHash().map(Hash::hex).orElse(null))
                    .unsigned("timestamp", h.timestamp())
                    .number("seq_num", h.seqNum())
                    .string("backlink", h.backlink().map(Hash::hex).orElse(null))
                    .strings("previous", h.previous().stream().map(Hash::hex).toList())
                    .cbor("extensions", h.extensions().orElse(null))
                    .string("log_id", h.logId().hex())
                    .bool("prune", h.prune());
        }
    }

    /** Hex input of an operation: bad hex is a {@code Decode} error, like bad bytes. */
    private static byte[] decodeHex(String what, String hex) {
        try {
            return HEX.parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new InvalidOperationException(OperationError.DECODE, what + " is not valid hex: "
                    + OptionValues.hexProblem(hex), e);
        }
    }

    private String readStdin() {
        InputStream in = ((Pando) spec.root().userObject()).stdin();
        byte[] bytes;
        try {
            bytes = in.readNBytes(MAX_STDIN_CHARS + 1);
        } catch (IOException e) {
            throw new InvalidInputException("cannot read the header from stdin: " + e.getMessage(), e);
        }
        if (bytes.length > MAX_STDIN_CHARS) {
            throw new InvalidOperationException(OperationError.DECODE,
                    "the header on stdin is longer than " + MAX_STDIN_CHARS + " characters");
        }
        return new String(bytes, StandardCharsets.US_ASCII).strip();
    }
}
