package dev.pando.node;

import dev.pando.Hash;
import dev.pando.NodeAddress;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import dev.pando.spi.DuplexStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Protocol {@value #PROTOCOL}: two connected nodes learn which topics they share without sending a
 * topic id in clear text (README, "Topic discovery"). Each side draws a 32-byte nonce; each sends,
 * for each topic it is subscribed to, {@code BLAKE3("pando/topics/1" | initiator nonce | acceptor
 * nonce | topic id)}, and each intersects what it received with its own. Both nonces salt every
 * hash, so hashes from one exchange say nothing in another, and a peer learns only the topics it
 * has itself (or can guess: a topic named by a well-known word can be found by trying words).
 * Each side also tells its own address (its node id must be the connection's proven id).
 *
 * <pre>
 *   initiator → acceptor:  HELLO  = u8 version (1) | nonce (32) | u16 length | own address text (ASCII)
 *   acceptor → initiator:  HELLO, then HASHES = u16 count | count × 32 bytes
 *   initiator → acceptor:  HASHES, then end of stream
 * </pre>
 */
final class TopicExchange {
    static final String PROTOCOL = "pando/topics/1";
    static final int VERSION = 1;
    /** The most topic hashes one side may send. */
    static final int MAX_TOPICS = 4096;
    private static final byte[] DOMAIN = PROTOCOL.getBytes(StandardCharsets.US_ASCII);

    private final SecureRandom random;

    TopicExchange(SecureRandom random) {
        this.random = random;
    }

    /** What one exchange told this node. */
    record Result(PublicKey peer, Optional<NodeAddress> peerAddress, Set<TopicId> shared) {
    }

    Result initiate(DuplexStream stream, PublicKey peer, NodeAddress own, Set<TopicId> topics) {
        byte[] mine = nonce();
        stream.write(hello(mine, own));
        stream.flush();
        Hello theirs = readHello(stream, peer);
        Map<Hash, TopicId> myHashes = hashes(mine, theirs.nonce, topics);
        Set<Hash> theirHashes = readHashes(stream);
        stream.write(encodeHashes(myHashes.keySet()));
        stream.flush();
        stream.closeOutput();
        return new Result(peer, theirs.address, intersect(myHashes, theirHashes));
    }

    Result accept(DuplexStream stream, PublicKey peer, NodeAddress own, Set<TopicId> topics) {
        Hello theirs = readHello(stream, peer);
        byte[] mine = nonce();
        Map<Hash, TopicId> myHashes = hashes(theirs.nonce, mine, topics);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(hello(mine, own));
        out.writeBytes(encodeHashes(myHashes.keySet()));
        stream.write(out.toByteArray());
        stream.flush();
        Set<Hash> theirHashes = readHashes(stream);
        stream.closeOutput();
        return new Result(peer, theirs.address, intersect(myHashes, theirHashes));
    }

    private byte[] nonce() {
        byte[] n = new byte[32];
        random.nextBytes(n);
        return n;
    }

    private static Set<TopicId> intersect(Map<Hash, TopicId> mine, Set<Hash> theirs) {
        Set<TopicId> shared = new HashSet<>();
        for (Hash h : theirs) {
            TopicId t = mine.get(h);
            if (t != null) {
                shared.add(t);
            }
        }
        return shared;
    }

    static Map<Hash, TopicId> hashes(byte[] initiatorNonce, byte[] acceptorNonce, Set<TopicId> topics) {
        Map<Hash, TopicId> out = new HashMap<>();
        for (TopicId t : topics) {
            byte[] input = ByteBuffer.allocate(DOMAIN.length + 64 + TopicId.LENGTH).put(DOMAIN).put(initiatorNonce)
                    .put(acceptorNonce).put(t.bytes()).array();
            out.put(Hash.of(input), t);
        }
        return out;
    }

    private static byte[] hello(byte[] nonce, NodeAddress own) {
        byte[] address = own.toText().getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(1 + 32 + 2 + address.length).put((byte) VERSION).put(nonce)
                .putShort((short) address.length).put(address).array();
    }

    private record Hello(byte[] nonce, Optional<NodeAddress> address) {
    }

    private static Hello readHello(DuplexStream stream, PublicKey peer) {
        byte[] fixed = read(stream, 1 + 32 + 2);
        if (fixed[0] != VERSION) {
            throw new ProtocolViolationException("topic exchange version " + (fixed[0] & 0xFF) + ", this node speaks " + VERSION);
        }
        byte[] nonce = java.util.Arrays.copyOfRange(fixed, 1, 33);
        int length = ((fixed[33] & 0xFF) << 8) | (fixed[34] & 0xFF);
        if (length > NodeAddress.MAX_TEXT_LENGTH) {
            throw new ProtocolViolationException("topic exchange: address of " + length + " bytes is too long");
        }
        String text = new String(read(stream, length), StandardCharsets.US_ASCII);
        Optional<NodeAddress> address = Optional.empty();
        if (!text.isEmpty()) {
            NodeAddress a;
            try {
                a = NodeAddress.parse(text);
            } catch (IllegalArgumentException e) {
                throw new ProtocolViolationException("topic exchange: the peer's address is malformed: " + e.getMessage());
            }
            if (!a.nodeId().equals(peer)) {
                throw new ProtocolViolationException("topic exchange: the peer " + peer + " gave the address of another node, "
                        + a.nodeId());
            }
            address = Optional.of(a);
        }
        return new Hello(nonce, address);
    }

    private static byte[] encodeHashes(Set<Hash> hashes) {
        ByteBuffer out = ByteBuffer.allocate(2 + hashes.size() * Hash.LENGTH).putShort((short) hashes.size());
        for (Hash h : hashes) {
            out.put(h.bytes());
        }
        return out.array();
    }

    private static Set<Hash> readHashes(DuplexStream stream) {
        byte[] count = read(stream, 2);
        int n = ((count[0] & 0xFF) << 8) | (count[1] & 0xFF);
        if (n > MAX_TOPICS) {
            throw new ProtocolViolationException("topic exchange: " + n + " topic hashes, more than " + MAX_TOPICS);
        }
        byte[] all = read(stream, n * Hash.LENGTH);
        Set<Hash> out = new HashSet<>();
        for (int i = 0; i < n; i++) {
            out.add(Hash.fromBytes(java.util.Arrays.copyOfRange(all, i * Hash.LENGTH, (i + 1) * Hash.LENGTH)));
        }
        return out;
    }

    private static byte[] read(DuplexStream stream, int length) {
        byte[] b = new byte[length];
        stream.readFully(b, 0, length);
        return b;
    }
}
