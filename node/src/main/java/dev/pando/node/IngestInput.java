package dev.pando.node;

import java.util.Objects;
import java.util.Optional;

/**
 * One operation as it arrives from outside (sync, gossip, an import): the exact header bytes and
 * the body bytes if they came along. Nothing is parsed or checked yet. The arrays are not copied:
 * callers must not modify them after handing them in.
 */
public record IngestInput(byte[] header, Optional<byte[]> body) {
    public IngestInput {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(body, "body");
    }

    /** An operation with its body. */
    public static IngestInput of(byte[] header, byte[] body) {
        return new IngestInput(header, Optional.of(body));
    }

    /** An operation whose body is absent (deleted at the source, or not fetched). */
    public static IngestInput withoutBody(byte[] header) {
        return new IngestInput(header, Optional.empty());
    }

    /** Header plus body length in bytes. */
    public long size() {
        return header.length + body.map(b -> b.length).orElse(0);
    }
}
