package dev.pando.sync.log;

import dev.pando.CborReader;
import dev.pando.CborWriter;
import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.PandoException;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The messages of the wire (README, "Wire"): each is one canonical CBOR array whose first element
 * is its type. Decoding is strict: wrong types, extra elements, trailing bytes, duplicate logs
 * and more logs than allowed are protocol violations.
 */
sealed interface SyncMessage {

    int HAVE = 0;
    int PRE_SYNC = 1;
    int OPERATION = 2;
    int DONE = 3;
    int REFUSED = 4;
    int STORED = 5;

    /** The wire version carried in {@link Have}; the protocol name carries the same number. */
    long VERSION = 2;

    /** The log heights a side holds for the topic: log → highest seq stored. */
    record Have(long version, TopicId topic, Map<LogKey, Long> heights) implements SyncMessage {
        public Have {
            Objects.requireNonNull(topic, "topic");
            heights = Map.copyOf(heights);
        }
    }

    /** What the sender is about to send: operation count and header plus body bytes. */
    record PreSync(long operations, long bytes) implements SyncMessage {
    }

    /** One operation: exact header bytes and the body if the sender has it. */
    record Operation(byte[] header, Optional<byte[]> body) implements SyncMessage {
        public Operation {
            Objects.requireNonNull(header, "header");
            Objects.requireNonNull(body, "body");
        }

        long size() {
            return header.length + body.map(b -> b.length).orElse(0);
        }
    }

    /** The sender has sent everything it announced. */
    record Done() implements SyncMessage {
    }

    /** The acceptor does not serve the topic the initiator asked for. */
    record Refused() implements SyncMessage {
    }

    /**
     * Sent after this side has received the peer's {@link Done} and put every operation it got
     * through ingest: the peer's operations are stored here (or found invalid, which would have
     * ended the session). {@code operations} is how many were received.
     */
    record Stored(long operations) implements SyncMessage {
    }

    static byte[] encode(SyncMessage message) {
        CborWriter w = new CborWriter();
        if (message instanceof Have h) {
            w.writeArrayHeader(4).writeUnsigned(HAVE).writeUnsigned(h.version()).writeBytes(h.topic().bytes());
            w.writeArrayHeader(h.heights().size());
            // sorted, so the same heights always make the same bytes
            for (Map.Entry<LogKey, Long> e : new java.util.TreeMap<>(h.heights()).entrySet()) {
                w.writeArrayHeader(3).writeBytes(e.getKey().author().bytes()).writeBytes(e.getKey().logId().bytes())
                        .writeUnsigned(e.getValue());
            }
        } else if (message instanceof PreSync p) {
            w.writeArrayHeader(3).writeUnsigned(PRE_SYNC).writeUnsigned(p.operations()).writeUnsigned(p.bytes());
        } else if (message instanceof Operation o) {
            w.writeArrayHeader(3).writeUnsigned(OPERATION).writeBytes(o.header());
            if (o.body().isPresent()) {
                w.writeBytes(o.body().get());
            } else {
                w.writeNull();
            }
        } else if (message instanceof Done) {
            w.writeArrayHeader(1).writeUnsigned(DONE);
        } else if (message instanceof Refused) {
            w.writeArrayHeader(1).writeUnsigned(REFUSED);
        } else if (message instanceof Stored st) {
            w.writeArrayHeader(2).writeUnsigned(STORED).writeUnsigned(st.operations());
        } else {
            throw new IllegalArgumentException("unknown message " + message);
        }
        return w.toByteArray();
    }

    /**
     * Decodes one frame's payload.
     *
     * @param maxLogs the most heights a {@link Have} may carry
     * @throws ProtocolViolationException for anything but exactly one well-formed message
     */
    static SyncMessage decode(byte[] frame, int maxLogs) {
        try {
            CborReader r = new CborReader(frame);
            int n = r.readArrayHeader();
            if (n < 1) {
                throw new ProtocolViolationException("empty message array");
            }
            long type = r.readUnsigned();
            SyncMessage message;
            if (type == HAVE && n == 4) {
                long version = r.readUnsigned();
                TopicId topic = TopicId.fromBytes(r.readBytes(TopicId.LENGTH));
                int count = r.readArrayHeader();
                if (count > maxLogs) {
                    throw new ProtocolViolationException("Have lists " + count + " logs, more than the limit of " + maxLogs);
                }
                Map<LogKey, Long> heights = new LinkedHashMap<>();
                for (int i = 0; i < count; i++) {
                    if (r.readArrayHeader() != 3) {
                        throw new ProtocolViolationException("a log height must be [author, log id, seq]");
                    }
                    PublicKey author = PublicKey.fromBytes(r.readBytes(PublicKey.LENGTH));
                    byte[] logId = r.readBytes();
                    if (logId.length > LogId.MAX_LENGTH) {
                        throw new ProtocolViolationException("log id of " + logId.length + " bytes, over " + LogId.MAX_LENGTH);
                    }
                    long seq = r.readLong();
                    if (heights.put(new LogKey(author, LogId.of(logId)), seq) != null) {
                        throw new ProtocolViolationException("Have lists a log twice");
                    }
                }
                message = new Have(version, topic, heights);
            } else if (type == PRE_SYNC && n == 3) {
                message = new PreSync(r.readLong(), r.readLong());
            } else if (type == OPERATION && n == 3) {
                byte[] header = r.readBytes();
                Optional<byte[]> body;
                if (r.peekMajorType() == 7) {
                    r.readNull();
                    body = Optional.empty();
                } else {
                    body = Optional.of(r.readBytes());
                }
                message = new Operation(header, body);
            } else if (type == DONE && n == 1) {
                message = new Done();
            } else if (type == REFUSED && n == 1) {
                message = new Refused();
            } else if (type == STORED && n == 2) {
                message = new Stored(r.readLong());
            } else {
                throw new ProtocolViolationException("unknown message type " + Long.toUnsignedString(type)
                        + " with " + n + " elements");
            }
            r.expectEnd();
            return message;
        } catch (ProtocolViolationException e) {
            throw e;
        } catch (PandoException | IllegalArgumentException e) {
            // CborException (malformed, truncated, non-canonical) and value checks (key length)
            throw new ProtocolViolationException("malformed message: " + e.getMessage(), e);
        }
    }
}
