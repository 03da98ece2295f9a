package dev.pando.transport.relay;

import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.Signature;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * The relay's messages, one per binary WebSocket message (RFC 6455), first byte the type. The
 * relay reads node ids and sizes only: a payload is opaque (for the relay transport, one QUIC
 * packet with a role byte in front). See the module README for the exchange.
 *
 * <pre>
 *   1 CHALLENGE  server → client  version (1 byte, 1) ‖ nonce (32)
 *   2 AUTH       client → server  node id (32) ‖ Ed25519 signature (64) over {@link RelayAuth#signedBytes}
 *   3 AUTH_OK    server → client  (nothing)
 *   4 SEND       client → server  destination node id (32) ‖ payload (1 or more bytes)
 *   5 RECV       server → client  source node id (32) ‖ payload
 *   6 PEER_GONE  server → client  node id (32): a SEND to it found no client
 * </pre>
 */
sealed interface RelayFrame {
    int CHALLENGE = 1;
    int AUTH = 2;
    int AUTH_OK = 3;
    int SEND = 4;
    int RECV = 5;
    int PEER_GONE = 6;
    int VERSION = 1;
    int NONCE_LENGTH = 32;
    /**
     * The largest payload a relay must forward: a QUIC packet of the relay transport
     * ({@link RelayPath#PACKET_SIZE}) with its role byte. A relay's largest message is at least
     * this plus the type and node id ({@link #MIN_MAX_MESSAGE}).
     */
    int MAX_PAYLOAD = 1 + RelayPath.PACKET_SIZE;
    /** The smallest "largest message" a relay may be configured with. */
    int MIN_MAX_MESSAGE = 1 + 32 + MAX_PAYLOAD;

    record Challenge(byte[] nonce) implements RelayFrame {
    }

    record Auth(PublicKey nodeId, Signature signature) implements RelayFrame {
    }

    record AuthOk() implements RelayFrame {
    }

    /** SEND or RECV: {@code peer} is the destination or the source; the payload is a retained slice the receiver releases. */
    record Packet(int type, PublicKey peer, ByteBuf payload) implements RelayFrame {
    }

    record PeerGone(PublicKey nodeId) implements RelayFrame {
    }

    /**
     * Decodes one message. Does not release {@code in}; a {@link Packet}'s payload is a retained
     * slice of it.
     *
     * @throws ProtocolViolationException for an unknown type, a wrong length or an empty payload
     */
    static RelayFrame decode(ByteBuf in) {
        if (!in.isReadable()) {
            throw new ProtocolViolationException("empty relay message");
        }
        int type = in.getUnsignedByte(in.readerIndex());
        int body = in.readableBytes() - 1;
        int at = in.readerIndex() + 1;
        switch (type) {
            case CHALLENGE:
                exact(type, body, 1 + NONCE_LENGTH);
                if (in.getUnsignedByte(at) != VERSION) {
                    throw new ProtocolViolationException("relay speaks version " + in.getUnsignedByte(at) + ", this node " + VERSION);
                }
                return new Challenge(bytes(in, at + 1, NONCE_LENGTH));
            case AUTH:
                exact(type, body, PublicKey.LENGTH + Signature.LENGTH);
                return new Auth(PublicKey.fromBytes(bytes(in, at, PublicKey.LENGTH)),
                        Signature.fromBytes(bytes(in, at + PublicKey.LENGTH, Signature.LENGTH)));
            case AUTH_OK:
                exact(type, body, 0);
                return new AuthOk();
            case SEND:
            case RECV:
                if (body <= PublicKey.LENGTH) {
                    throw new ProtocolViolationException("relay message " + type + " has no payload (" + body + " bytes)");
                }
                return new Packet(type, PublicKey.fromBytes(bytes(in, at, PublicKey.LENGTH)),
                        in.retainedSlice(at + PublicKey.LENGTH, body - PublicKey.LENGTH));
            case PEER_GONE:
                exact(type, body, PublicKey.LENGTH);
                return new PeerGone(PublicKey.fromBytes(bytes(in, at, PublicKey.LENGTH)));
            default:
                throw new ProtocolViolationException("unknown relay message type " + type);
        }
    }

    static ByteBuf challenge(byte[] nonce) {
        return Unpooled.buffer(2 + NONCE_LENGTH).writeByte(CHALLENGE).writeByte(VERSION).writeBytes(nonce);
    }

    static ByteBuf auth(PublicKey nodeId, Signature signature) {
        return Unpooled.buffer(1 + PublicKey.LENGTH + Signature.LENGTH).writeByte(AUTH)
                .writeBytes(nodeId.bytes()).writeBytes(signature.bytes());
    }

    static ByteBuf authOk() {
        return Unpooled.buffer(1).writeByte(AUTH_OK);
    }

    static ByteBuf peerGone(PublicKey nodeId) {
        return Unpooled.buffer(1 + PublicKey.LENGTH).writeByte(PEER_GONE).writeBytes(nodeId.bytes());
    }

    /** A SEND or RECV header followed by {@code payload} (whose reference passes to the result). */
    static ByteBuf packet(ByteBufAllocator alloc, int type, PublicKey peer, ByteBuf payload) {
        ByteBuf header = alloc.buffer(1 + PublicKey.LENGTH).writeByte(type).writeBytes(peer.bytes());
        return alloc.compositeBuffer(2).addComponents(true, header, payload);
    }

    private static void exact(int type, int body, int expected) {
        if (body != expected) {
            throw new ProtocolViolationException("relay message " + type + " must have " + expected + " bytes after its type, has " + body);
        }
    }

    private static byte[] bytes(ByteBuf in, int at, int length) {
        byte[] b = new byte[length];
        in.getBytes(at, b);
        return b;
    }
}
