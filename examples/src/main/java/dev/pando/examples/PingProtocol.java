package dev.pando.examples;

import dev.pando.ProtocolViolationException;
import dev.pando.spi.DuplexStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The wire format of {@code pando/ping/1}: one stream per ping. The dialer writes a request and
 * half-closes its output; the listener answers with a reply and half-closes its own.
 * <pre>
 *   request: 0x01, seq (8 bytes, big-endian), payload (0 to 65,536 bytes), end of stream
 *   reply:   0x02, the same seq, the same payload, end of stream
 * </pre>
 * A message is delimited by the end of the stream, so each side reads at most the longest valid
 * message plus one byte; anything longer, shorter than the 9-byte head, or of the wrong type is a
 * {@link ProtocolViolationException}. Half-closing after each message is also what keeps kwik's
 * streams from stalling (transport-quic/README.md).
 */
final class PingProtocol {
    /** The protocol name dialed and accepted. */
    static final String NAME = "pando/ping/1";
    /** The largest payload of a ping. */
    static final int MAX_PAYLOAD = 65_536;
    /** Type byte and seq. */
    static final int HEAD = 9;
    static final byte REQUEST = 0x01;
    static final byte REPLY = 0x02;

    private PingProtocol() {
    }

    static byte[] message(byte type, long seq, byte[] payload) {
        return ByteBuffer.allocate(HEAD + payload.length).put(type).putLong(seq).put(payload).array();
    }

    /**
     * Reads a stream to its end, keeping at most {@code HEAD + MAX_PAYLOAD} bytes.
     *
     * @throws ProtocolViolationException as soon as the peer sends more than that
     */
    static byte[] readMessage(DuplexStream stream) {
        int limit = HEAD + MAX_PAYLOAD;
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        byte[] buffer = new byte[8192];
        while (true) {
            int n = stream.read(buffer, 0, buffer.length);
            if (n < 0) {
                return out.toByteArray();
            }
            if (out.size() + n > limit) {
                throw new ProtocolViolationException("ping message longer than " + limit + " bytes");
            }
            out.write(buffer, 0, n);
        }
    }

    /**
     * Checks the head of a message.
     *
     * @return its seq
     * @throws ProtocolViolationException if it is shorter than the head or of another type
     */
    static long check(byte[] message, byte type) {
        if (message.length < HEAD) {
            throw new ProtocolViolationException("ping message of " + message.length + " bytes, shorter than its "
                    + HEAD + "-byte head");
        }
        if (message[0] != type) {
            throw new ProtocolViolationException(String.format("ping message of type 0x%02x, expected 0x%02x",
                    message[0] & 0xFF, type));
        }
        return ByteBuffer.wrap(message, 1, 8).getLong();
    }

    /** Whether a reply echoes the request's seq and payload exactly. */
    static boolean echoes(byte[] reply, byte[] request) {
        return reply.length == request.length && Arrays.equals(reply, 1, reply.length, request, 1, request.length);
    }
}
