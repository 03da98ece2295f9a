package dev.pando.gossip;

import dev.pando.NodeAddress;
import dev.pando.ProtocolViolationException;
import dev.pando.TopicId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The wire of {@value PlumtreeGossipProvider#PROTOCOL}: frames of a 4-byte big-endian length and a
 * body. Each node writes on a stream it opened and reads the stream its peer opened; the first
 * frame on a stream is {@code HELLO(version)}, every later one is a type byte, a 32-byte topic id
 * and the message's fields. Integers are big-endian; an address is a 2-byte length and the UTF-8 of
 * {@link NodeAddress#toText()}. Anything that does not decode exactly is a
 * {@link ProtocolViolationException}.
 */
final class Wire {
    static final byte VERSION = 1;
    static final int MESSAGE_ID_LENGTH = 16;
    /** Most IHAVE entries in one frame (and most addresses in a shuffle). */
    static final int MAX_IHAVES = 256;
    static final int MAX_SHUFFLE_ADDRESSES = 16;
    /** Control frames may be this long whatever the message limit (a shuffle carries addresses). */
    static final int CONTROL_FRAME_LIMIT = 2 + 64 + MAX_SHUFFLE_ADDRESSES * (2 + NodeAddress.MAX_TEXT_LENGTH);

    static final byte HELLO = 0;
    static final byte JOIN = 1;
    static final byte FORWARD_JOIN = 2;
    static final byte NEIGHBOR = 3;
    static final byte NEIGHBOR_ACCEPT = 4;
    static final byte NEIGHBOR_REJECT = 5;
    static final byte DISCONNECT = 6;
    static final byte SHUFFLE = 7;
    static final byte SHUFFLE_REPLY = 8;
    static final byte GOSSIP = 9;
    static final byte IHAVE = 10;
    static final byte GRAFT = 11;
    static final byte PRUNE = 12;

    private Wire() {
    }

    /** A message of one topic's overlay. */
    sealed interface Message {
    }

    /** A new node asks its contact to take it into the overlay. */
    record Join(NodeAddress joiner) implements Message {
    }

    /** A contact spreads a joiner along random walks; it ends in the active view or the passive one. */
    record ForwardJoin(NodeAddress joiner, int ttl) implements Message {
    }

    /** Asks to become active neighbours; {@code high} may not be refused (the asker has no neighbour). */
    record Neighbor(NodeAddress asker, boolean high) implements Message {
    }

    record NeighborAccept() implements Message {
    }

    record NeighborReject() implements Message {
    }

    /** No longer neighbours; {@code alive}: the sender stays in the topic (keep it as a spare). */
    record Disconnect(boolean alive) implements Message {
    }

    /** A sample of addresses travelling a random walk from {@code origin}. */
    record Shuffle(NodeAddress origin, int ttl, List<NodeAddress> addresses) implements Message {
    }

    record ShuffleReply(List<NodeAddress> addresses) implements Message {
    }

    /** A broadcast message: its id, the hops it took so far, and its bytes. */
    record Gossip(MessageId id, int round, byte[] payload) implements Message {
    }

    /** Announcements of messages this node has: (id, round) pairs. */
    record IHave(List<Announcement> announcements) implements Message {
    }

    record Announcement(MessageId id, int round) {
    }

    /** Asks to be pushed to eagerly again, and for one message if {@code id} is not null. */
    record Graft(MessageId id, int round) implements Message {
    }

    record Prune() implements Message {
    }

    /** A 16-byte message id. */
    record MessageId(long high, long low) {
        static MessageId read(byte[] b, int at) {
            return new MessageId(longAt(b, at), longAt(b, at + 8));
        }

        void write(byte[] b, int at) {
            putLong(b, at, high);
            putLong(b, at + 8, low);
        }
    }

    // ---- encoding -------------------------------------------------------------------------------

    static byte[] hello() {
        byte[] f = new byte[6];
        putInt(f, 0, 2);
        f[4] = HELLO;
        f[5] = VERSION;
        return f;
    }

    /** A whole frame (length prefix included) for {@code message} of {@code topic}. */
    static byte[] encode(TopicId topic, Message message) {
        Writer w = new Writer();
        if (message instanceof Join j) {
            w.head(JOIN, topic);
            w.address(j.joiner());
        } else if (message instanceof ForwardJoin f) {
            w.head(FORWARD_JOIN, topic);
            w.u8(f.ttl());
            w.address(f.joiner());
        } else if (message instanceof Neighbor n) {
            w.head(NEIGHBOR, topic);
            w.u8(n.high() ? 1 : 0);
            w.address(n.asker());
        } else if (message instanceof NeighborAccept) {
            w.head(NEIGHBOR_ACCEPT, topic);
        } else if (message instanceof NeighborReject) {
            w.head(NEIGHBOR_REJECT, topic);
        } else if (message instanceof Disconnect d) {
            w.head(DISCONNECT, topic);
            w.u8(d.alive() ? 1 : 0);
        } else if (message instanceof Shuffle s) {
            w.head(SHUFFLE, topic);
            w.u8(s.ttl());
            w.address(s.origin());
            w.addresses(s.addresses());
        } else if (message instanceof ShuffleReply r) {
            w.head(SHUFFLE_REPLY, topic);
            w.addresses(r.addresses());
        } else if (message instanceof Gossip g) {
            w.head(GOSSIP, topic);
            w.id(g.id());
            w.u16(g.round());
            w.bytes(g.payload());
        } else if (message instanceof IHave h) {
            w.head(IHAVE, topic);
            w.u16(h.announcements().size());
            for (Announcement a : h.announcements()) {
                w.id(a.id());
                w.u16(a.round());
            }
        } else if (message instanceof Graft g) {
            w.head(GRAFT, topic);
            w.u8(g.id() == null ? 0 : 1);
            if (g.id() != null) {
                w.id(g.id());
            }
            w.u16(g.round());
        } else if (message instanceof Prune) {
            w.head(PRUNE, topic);
        } else {
            throw new IllegalArgumentException("not a wire message: " + message);
        }
        return w.frame();
    }

    /** A frame body (after HELLO) decoded: its topic and message. */
    record Decoded(TopicId topic, Message message) {
    }

    /**
     * Decodes one frame body (without its length prefix).
     *
     * @throws ProtocolViolationException for anything but an exact, valid message
     */
    static Decoded decode(byte[] body, int maxMessageBytes) {
        Reader r = new Reader(body);
        byte type = (byte) r.u8();
        if (type == HELLO) {
            throw new ProtocolViolationException("a second HELLO");
        }
        TopicId topic = TopicId.fromBytes(r.take(TopicId.LENGTH));
        Message m = switch (type) {
            case JOIN -> new Join(r.address());
            case FORWARD_JOIN -> {
                int ttl = r.u8();
                yield new ForwardJoin(r.address(), ttl);
            }
            case NEIGHBOR -> {
                boolean high = r.flag();
                yield new Neighbor(r.address(), high);
            }
            case NEIGHBOR_ACCEPT -> new NeighborAccept();
            case NEIGHBOR_REJECT -> new NeighborReject();
            case DISCONNECT -> new Disconnect(r.flag());
            case SHUFFLE -> {
                int ttl = r.u8();
                NodeAddress origin = r.address();
                yield new Shuffle(origin, ttl, r.addresses());
            }
            case SHUFFLE_REPLY -> new ShuffleReply(r.addresses());
            case GOSSIP -> {
                MessageId id = r.id();
                int round = r.u16();
                byte[] payload = r.rest();
                if (payload.length > maxMessageBytes) {
                    throw new ProtocolViolationException("a gossip message of " + payload.length
                            + " bytes, the limit is " + maxMessageBytes);
                }
                yield new Gossip(id, round, payload);
            }
            case IHAVE -> {
                int n = r.u16();
                if (n == 0 || n > MAX_IHAVES) {
                    throw new ProtocolViolationException("an IHAVE of " + n + " entries, the limit is " + MAX_IHAVES);
                }
                List<Announcement> list = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    MessageId id = r.id();
                    list.add(new Announcement(id, r.u16()));
                }
                yield new IHave(list);
            }
            case GRAFT -> {
                MessageId id = r.flag() ? r.id() : null;
                yield new Graft(id, r.u16());
            }
            case PRUNE -> new Prune();
            default -> throw new ProtocolViolationException("unknown message type " + type);
        };
        r.end();
        return new Decoded(topic, m);
    }

    static boolean isHello(byte[] body) {
        return body.length == 2 && body[0] == HELLO && body[1] == VERSION;
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static final class Writer {
        private byte[] buf = new byte[128];
        private int at = 4;

        void head(byte type, TopicId topic) {
            u8(type);
            bytes(topic.bytes());
        }

        void u8(int v) {
            ensure(1);
            buf[at++] = (byte) v;
        }

        void u16(int v) {
            ensure(2);
            buf[at++] = (byte) (v >>> 8);
            buf[at++] = (byte) v;
        }

        void id(MessageId id) {
            ensure(MESSAGE_ID_LENGTH);
            id.write(buf, at);
            at += MESSAGE_ID_LENGTH;
        }

        void bytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, at, b.length);
            at += b.length;
        }

        void address(NodeAddress a) {
            byte[] text = a.toText().getBytes(StandardCharsets.UTF_8);
            u16(text.length);
            bytes(text);
        }

        void addresses(List<NodeAddress> list) {
            u8(list.size());
            for (NodeAddress a : list) {
                address(a);
            }
        }

        byte[] frame() {
            putInt(buf, 0, at - 4);
            return Arrays.copyOf(buf, at);
        }

        private void ensure(int n) {
            if (at + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, at + n));
            }
        }
    }

    private static final class Reader {
        private final byte[] b;
        private int at;

        Reader(byte[] b) {
            this.b = b;
        }

        private void need(int n) {
            if (b.length - at < n) {
                throw new ProtocolViolationException("a frame ended early: needed " + n + " more bytes at " + at + " of " + b.length);
            }
        }

        int u8() {
            need(1);
            return b[at++] & 0xFF;
        }

        boolean flag() {
            int v = u8();
            if (v > 1) {
                throw new ProtocolViolationException("a flag of value " + v);
            }
            return v == 1;
        }

        int u16() {
            need(2);
            int v = ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
            at += 2;
            return v;
        }

        byte[] take(int n) {
            need(n);
            byte[] r = Arrays.copyOfRange(b, at, at + n);
            at += n;
            return r;
        }

        MessageId id() {
            need(MESSAGE_ID_LENGTH);
            MessageId id = MessageId.read(b, at);
            at += MESSAGE_ID_LENGTH;
            return id;
        }

        NodeAddress address() {
            int n = u16();
            if (n > NodeAddress.MAX_TEXT_LENGTH) {
                throw new ProtocolViolationException("an address of " + n + " bytes");
            }
            String text = new String(take(n), StandardCharsets.UTF_8);
            try {
                return NodeAddress.parse(text);
            } catch (RuntimeException e) {
                throw new ProtocolViolationException("an invalid address: " + e.getMessage(), e);
            }
        }

        List<NodeAddress> addresses() {
            int n = u8();
            if (n > MAX_SHUFFLE_ADDRESSES) {
                throw new ProtocolViolationException(n + " addresses, the limit is " + MAX_SHUFFLE_ADDRESSES);
            }
            List<NodeAddress> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(address());
            }
            return list;
        }

        byte[] rest() {
            byte[] r = Arrays.copyOfRange(b, at, b.length);
            at = b.length;
            return r;
        }

        void end() {
            if (at != b.length) {
                throw new ProtocolViolationException((b.length - at) + " bytes after the end of a message");
            }
        }
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long longAt(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}
