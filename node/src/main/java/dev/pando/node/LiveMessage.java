package dev.pando.node;

import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.Signature;
import dev.pando.TopicId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * What the node sends on a topic's gossip overlay (README, "Live mode"): an operation (its exact
 * header bytes and its body) or an ephemeral message signed by its author.
 *
 * <pre>
 *   operation: 0x01 | u32 header length | header | u8 has body | [u32 body length | body]
 *   ephemeral: 0x02 | author (32) | timestamp µs (u64) | nonce (16) | u32 length | payload | signature (64)
 * </pre>
 * The ephemeral signature covers {@code "pando/ephemeral/1" | topic | author | timestamp | nonce |
 * payload}, so it is valid only on its topic, and the random nonce makes two identical payloads two
 * messages. All integers big-endian; nothing may follow the last field.
 */
sealed interface LiveMessage {
    byte OPERATION = 1;
    byte EPHEMERAL = 2;
    /** Bytes an ephemeral message adds to its payload. */
    int EPHEMERAL_OVERHEAD = 1 + PublicKey.LENGTH + 8 + 16 + 4 + Signature.LENGTH;
    byte[] EPHEMERAL_DOMAIN = "pando/ephemeral/1".getBytes(StandardCharsets.US_ASCII);

    record LiveOperation(byte[] header, Optional<byte[]> body) implements LiveMessage {
    }

    record Ephemeral(PublicKey author, long timestampMicros, byte[] nonce, byte[] payload, Signature signature)
            implements LiveMessage {
        boolean verify(TopicId topic) {
            return author.verify(signedBytes(topic, author, timestampMicros, nonce, payload), signature);
        }
    }

    static byte[] encodeOperation(byte[] header, Optional<byte[]> body) {
        int size = 1 + 4 + header.length + 1 + body.map(b -> 4 + b.length).orElse(0);
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(OPERATION).putInt(header.length).put(header);
        if (body.isPresent()) {
            out.put((byte) 1).putInt(body.get().length).put(body.get());
        } else {
            out.put((byte) 0);
        }
        return out.array();
    }

    static byte[] encodeEphemeral(TopicId topic, PrivateKey key, long timestampMicros, byte[] payload, SecureRandom random) {
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        PublicKey author = key.publicKey();
        Signature signature = key.sign(signedBytes(topic, author, timestampMicros, nonce, payload));
        return ByteBuffer.allocate(EPHEMERAL_OVERHEAD + payload.length)
                .put(EPHEMERAL).put(author.bytes()).putLong(timestampMicros).put(nonce)
                .putInt(payload.length).put(payload).put(signature.bytes()).array();
    }

    static byte[] signedBytes(TopicId topic, PublicKey author, long timestampMicros, byte[] nonce, byte[] payload) {
        return ByteBuffer.allocate(EPHEMERAL_DOMAIN.length + TopicId.LENGTH + PublicKey.LENGTH + 8 + nonce.length + payload.length)
                .put(EPHEMERAL_DOMAIN).put(topic.bytes()).put(author.bytes()).putLong(timestampMicros).put(nonce)
                .put(payload).array();
    }

    /** @throws ProtocolViolationException for anything malformed */
    static LiveMessage decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            byte kind = in.get();
            LiveMessage m;
            if (kind == OPERATION) {
                byte[] header = take(in, in.getInt());
                byte hasBody = in.get();
                Optional<byte[]> body;
                if (hasBody == 0) {
                    body = Optional.empty();
                } else if (hasBody == 1) {
                    body = Optional.of(take(in, in.getInt()));
                } else {
                    throw new ProtocolViolationException("live operation: body flag must be 0 or 1, got " + hasBody);
                }
                m = new LiveOperation(header, body);
            } else if (kind == EPHEMERAL) {
                PublicKey author = PublicKey.fromBytes(take(in, PublicKey.LENGTH));
                long timestamp = in.getLong();
                byte[] nonce = take(in, 16);
                byte[] payload = take(in, in.getInt());
                Signature signature = Signature.fromBytes(take(in, Signature.LENGTH));
                m = new Ephemeral(author, timestamp, nonce, payload, signature);
            } else {
                throw new ProtocolViolationException("unknown live message kind " + kind);
            }
            if (in.hasRemaining()) {
                throw new ProtocolViolationException(in.remaining() + " bytes follow a live message");
            }
            return m;
        } catch (java.nio.BufferUnderflowException e) {
            throw new ProtocolViolationException("live message of " + bytes.length + " bytes is truncated");
        } catch (IllegalArgumentException e) {
            throw new ProtocolViolationException("malformed live message: " + e.getMessage());
        }
    }

    private static byte[] take(ByteBuffer in, int length) {
        if (length < 0 || length > in.remaining()) {
            throw new ProtocolViolationException("live message: field of " + Integer.toUnsignedString(length)
                    + " bytes, " + in.remaining() + " left");
        }
        byte[] b = new byte[length];
        in.get(b);
        return b;
    }
}
