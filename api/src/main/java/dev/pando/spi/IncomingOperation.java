package dev.pando.spi;

import java.util.Objects;
import java.util.Optional;

/**
 * An operation as it arrived from another node: the exact header bytes and, if sent, the body
 * bytes, not yet decoded or validated. The arrays are not copied: nobody may modify them after
 * handing them over.
 */
public record IncomingOperation(byte[] header, Optional<byte[]> body) {
    public IncomingOperation {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(body, "body");
    }

    /** Header plus body length in bytes. */
    public long size() {
        return header.length + body.map(b -> b.length).orElse(0);
    }
}
