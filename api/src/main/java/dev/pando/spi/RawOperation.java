package dev.pando.spi;

import dev.pando.Hash;
import java.util.Objects;
import java.util.Optional;

/**
 * An operation as stored: its id, the exact header bytes and the body bytes if present. Stores
 * return the bytes they were given, unchanged. The arrays are not copied: callers must not
 * modify them.
 */
public record RawOperation(Hash id, long seqNum, byte[] header, Optional<byte[]> body) {
    public RawOperation {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(body, "body");
    }

    /** Header plus body length in bytes. */
    public long size() {
        return header.length + body.map(b -> b.length).orElse(0);
    }
}
