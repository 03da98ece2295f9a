package dev.pando.transport.quic.core;

import dev.pando.ConnectionClosedException;
import dev.pando.ProtocolViolationException;
import dev.pando.spi.ProtocolNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The preamble that starts every bidirectional QUIC stream after the auth stream (WIRE.md,
 * section 4): one kind byte, one length byte L (1..200), then L bytes of the protocol name.
 *
 * @param kind     what the stream is for
 * @param protocol a valid protocol name ({@link ProtocolNames})
 */
public record StreamPreamble(Kind kind, String protocol) {
    /** Answer to {@link Kind#OPEN_CONNECTION}: the acceptor created its connection for the protocol. */
    public static final int ACCEPTED = 0;
    /** Answer to {@link Kind#OPEN_CONNECTION}: the acceptor does not accept the protocol. */
    public static final int UNKNOWN_PROTOCOL = 1;
    /** Answer to {@link Kind#CLOSE_CONNECTION}: the receiver has closed its connection for the protocol (or had none). */
    public static final int CLOSED = 0;

    /** The kinds of stream. */
    public enum Kind {
        /** Sent by {@code Transport.dial}: answered with one status byte, then both sides close the stream. */
        OPEN_CONNECTION(1),
        /** Sent by {@code Connection.openStream}: application bytes follow, no answer. */
        STREAM(2),
        /**
         * Sent by {@code Connection.close}: the receiver closes its connection for the protocol
         * (aborting its streams), answers {@link #CLOSED} and both sides close the stream. A node
         * sends no OPEN_CONNECTION for that protocol to that peer before the answer (or a failure
         * of the stream), so a close and a later dial cannot overtake each other on the way.
         */
        CLOSE_CONNECTION(3);

        private final int code;

        Kind(int code) {
            this.code = code;
        }

        /** The kind's byte on the wire. */
        public int code() {
            return code;
        }

        static Kind of(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            throw new ProtocolViolationException("unknown stream kind " + code);
        }
    }

    public StreamPreamble {
        Objects.requireNonNull(kind, "kind");
        ProtocolNames.validate(protocol);
    }

    /** The preamble's bytes. */
    public byte[] encode() {
        byte[] name = protocol.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[2 + name.length];
        out[0] = (byte) kind.code;
        out[1] = (byte) name.length;
        System.arraycopy(name, 0, out, 2, name.length);
        return out;
    }

    /**
     * Decodes a preamble from the start of {@code buffer} without blocking. Returns empty (and
     * leaves the buffer's position alone) while more bytes are needed; on success the position
     * moves past the preamble.
     *
     * @throws ProtocolViolationException for an unknown kind, a bad length or an invalid name
     */
    public static Optional<StreamPreamble> tryDecode(ByteBuffer buffer) {
        int start = buffer.position();
        if (buffer.remaining() < 1) {
            return Optional.empty();
        }
        Kind kind = Kind.of(buffer.get(start) & 0xFF);
        if (buffer.remaining() < 2) {
            return Optional.empty();
        }
        int length = checkLength(buffer.get(start + 1) & 0xFF);
        if (buffer.remaining() < 2 + length) {
            return Optional.empty();
        }
        byte[] name = new byte[length];
        buffer.position(start + 2);
        buffer.get(name);
        return Optional.of(new StreamPreamble(kind, checkName(name)));
    }

    /**
     * Reads a preamble from a blocking stream.
     *
     * @throws ProtocolViolationException for an unknown kind, a bad length or an invalid name
     * @throws ConnectionClosedException  if the stream ends or fails first
     */
    public static StreamPreamble read(InputStream in) {
        Kind kind = Kind.of(readByte(in));
        int length = checkLength(readByte(in));
        byte[] name = new byte[length];
        for (int i = 0; i < length; i++) {
            name[i] = (byte) readByte(in);
        }
        return new StreamPreamble(kind, checkName(name));
    }

    private static int readByte(InputStream in) {
        int b;
        try {
            b = in.read();
        } catch (IOException e) {
            throw new ConnectionClosedException("stream failed while reading its preamble", e);
        }
        if (b < 0) {
            throw new ConnectionClosedException("stream ended inside its preamble");
        }
        return b;
    }

    private static int checkLength(int length) {
        if (length < 1 || length > ProtocolNames.MAX_LENGTH) {
            throw new ProtocolViolationException("protocol name length " + length + " is outside 1.." + ProtocolNames.MAX_LENGTH);
        }
        return length;
    }

    private static String checkName(byte[] name) {
        // valid names are ASCII; decoding as ISO-8859-1 keeps every byte visible to the check
        String s = new String(name, StandardCharsets.ISO_8859_1);
        if (!ProtocolNames.isValid(s)) {
            throw new ProtocolViolationException("invalid protocol name in stream preamble");
        }
        return s;
    }
}
