package dev.pando.discovery.bootstrap;

import dev.pando.NetworkId;
import dev.pando.spi.DuplexStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The two messages of protocol {@value #PROTOCOL}, one exchange per stream. Each is one frame,
 * a 4-byte big-endian length then the message:
 * <pre>
 * request  = 0x01 ‖ wanted (u8, 0..64) ‖ u16 length ‖ the asker's own record
 * response = 0x02 ‖ count (u8, at most wanted) ‖ count × (u16 length ‖ record)
 * </pre>
 * A request that wants 0 records is a <em>goodbye</em>: the asker leaves, and the responder forgets
 * its record (the connection proves who says so). Its response is empty.
 * The asker writes its request and half-closes; the responder answers and closes. No topic, no
 * other state: a record says how to reach a node, nothing about what it does.
 */
final class PeerExchangeWire {
    static final String PROTOCOL = "pando/peers/1";
    static final int MAX_WANTED = 64;
    static final int MAX_FRAME = 1 + 1 + MAX_WANTED * (2 + PeerRecord.MAX_BYTES);
    private static final byte REQUEST = 1;
    private static final byte RESPONSE = 2;

    /** A request: how many records the asker wants, and its own record. */
    record Request(int wanted, PeerRecord asker) {
    }

    private PeerExchangeWire() {
    }

    static void writeRequest(DuplexStream stream, int wanted, PeerRecord own) {
        ByteBuffer b = ByteBuffer.allocate(4 + 1 + 1 + 2 + own.encoded().length);
        b.putInt(b.capacity() - 4).put(REQUEST).put((byte) wanted).putShort((short) own.encoded().length).put(own.encoded());
        stream.write(b.array());
        stream.flush();
    }

    static void writeResponse(DuplexStream stream, List<PeerRecord> records) {
        int size = 1 + 1;
        for (PeerRecord r : records) {
            size += 2 + r.encoded().length;
        }
        ByteBuffer b = ByteBuffer.allocate(4 + size);
        b.putInt(size).put(RESPONSE).put((byte) records.size());
        for (PeerRecord r : records) {
            b.putShort((short) r.encoded().length).put(r.encoded());
        }
        stream.write(b.array());
        stream.flush();
    }

    /** Reads a request; the asker's record is decoded and verified (its age is the caller's to check). */
    static Request readRequest(DuplexStream stream, NetworkId network) {
        ByteBuffer b = ByteBuffer.wrap(readFrame(stream));
        expectType(b, REQUEST);
        int wanted = need(b, 1).get() & 0xFF;
        if (wanted > MAX_WANTED) {
            throw new PeerExchangeException(Rejection.MALFORMED, "asks for " + wanted + " records (0.." + MAX_WANTED + ")");
        }
        PeerRecord asker = PeerRecord.decode(field(b), network);
        if (b.hasRemaining()) {
            throw new PeerExchangeException(Rejection.MALFORMED, b.remaining() + " bytes after the request");
        }
        return new Request(wanted, asker);
    }

    /**
     * Reads a response of at most {@code wanted} records, each decoded and verified.
     *
     * @throws PeerExchangeException for a malformed response, more records than asked for, or a
     *     record that does not verify
     */
    static List<PeerRecord> readResponse(DuplexStream stream, int wanted, NetworkId network) {
        ByteBuffer b = ByteBuffer.wrap(readFrame(stream));
        expectType(b, RESPONSE);
        int count = need(b, 1).get() & 0xFF;
        if (count > wanted) {
            throw new PeerExchangeException(Rejection.OVERSIZED, count + " records, " + wanted + " asked for");
        }
        List<PeerRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(PeerRecord.decode(field(b), network));
        }
        if (b.hasRemaining()) {
            throw new PeerExchangeException(Rejection.MALFORMED, b.remaining() + " bytes after the response");
        }
        return records;
    }

    private static byte[] readFrame(DuplexStream stream) {
        byte[] header = new byte[4];
        stream.readFully(header, 0, 4);
        int length = ByteBuffer.wrap(header).getInt();
        if (length < 2 || length > MAX_FRAME) {
            throw new PeerExchangeException(length > MAX_FRAME || length < 0 ? Rejection.OVERSIZED : Rejection.MALFORMED,
                    "frame of " + Integer.toUnsignedString(length) + " bytes (2.." + MAX_FRAME + ")");
        }
        byte[] body = new byte[length];
        stream.readFully(body, 0, length);
        return body;
    }

    private static void expectType(ByteBuffer b, byte type) {
        byte got = b.get();
        if (got != type) {
            throw new PeerExchangeException(Rejection.MALFORMED, "message type " + (got & 0xFF) + ", expected " + type);
        }
    }

    private static ByteBuffer need(ByteBuffer b, int n) {
        if (b.remaining() < n) {
            throw new PeerExchangeException(Rejection.MALFORMED, "message ends " + (n - b.remaining()) + " bytes early");
        }
        return b;
    }

    private static byte[] field(ByteBuffer b) {
        int length = need(b, 2).getShort() & 0xFFFF;
        if (length > PeerRecord.MAX_BYTES) {
            throw new PeerExchangeException(Rejection.OVERSIZED, "record of " + length + " bytes, at most " + PeerRecord.MAX_BYTES);
        }
        byte[] out = new byte[length];
        need(b, length).get(out);
        return out;
    }
}
