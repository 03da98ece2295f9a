package dev.pando.discovery.bootstrap;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import dev.pando.Signature;
import dev.pando.spi.DiscoverySigner;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * A node's address, signed by the node itself: nobody can make a record of another node, so a
 * peer can pass on what it heard but never invent or alter it.
 *
 * <pre>
 * record  = version (u8, 1) ‖ timestamp (u64, ms since the epoch) ‖ u16 length ‖ address ‖ signature (64)
 * address = NodeAddress text, ASCII (node id, direct addresses, relay URL)
 * signed  = DiscoverySigner domain ‖ network id (32) ‖ record without its signature
 * </pre>
 * The network id is signed, not sent: a record of another network does not verify.
 */
record PeerRecord(NodeAddress address, long timestampMillis, Signature signature, byte[] encoded) {
    static final int VERSION = 1;
    /** The longest address text; a relay URL of 200 characters and 16 IPv6 addresses fit. */
    static final int MAX_ADDRESS_BYTES = 1024;
    static final int MAX_DIRECT_ADDRESSES = 16;
    static final int MAX_BYTES = 1 + 8 + 2 + MAX_ADDRESS_BYTES + Signature.LENGTH;

    PublicKey nodeId() {
        return address.nodeId();
    }

    Instant timestamp() {
        return Instant.ofEpochMilli(timestampMillis);
    }

    /**
     * Signs {@code address} (this node's) at {@code now}.
     *
     * @throws IllegalArgumentException if the address is too long for a record
     */
    static PeerRecord sign(NodeAddress address, Instant now, NetworkId network, DiscoverySigner signer) {
        if (address.directAddresses().size() > MAX_DIRECT_ADDRESSES) {
            address = address.withDirectAddresses(address.directAddresses().subList(0, MAX_DIRECT_ADDRESSES));
        }
        byte[] text = address.toText().getBytes(StandardCharsets.US_ASCII);
        if (text.length > MAX_ADDRESS_BYTES) {
            throw new IllegalArgumentException("this node's address is " + text.length + " bytes long, a record holds "
                    + MAX_ADDRESS_BYTES + ": " + address.toText());
        }
        ByteBuffer b = ByteBuffer.allocate(1 + 8 + 2 + text.length + Signature.LENGTH);
        b.put((byte) VERSION).putLong(now.toEpochMilli()).putShort((short) text.length).put(text);
        byte[] unsigned = Arrays.copyOf(b.array(), b.position());
        Signature signature = signer.sign(signedBytes(network, unsigned));
        b.put(signature.bytes());
        return new PeerRecord(address, now.toEpochMilli(), signature, b.array());
    }

    /**
     * Reads and verifies one record. Timestamps are checked by {@link #checkAge}, not here.
     *
     * @throws PeerExchangeException for anything but a well-formed record signed by its node
     */
    static PeerRecord decode(byte[] bytes, NetworkId network) {
        if (bytes.length > MAX_BYTES) {
            throw new PeerExchangeException(Rejection.OVERSIZED, "record of " + bytes.length + " bytes, at most " + MAX_BYTES);
        }
        if (bytes.length < 1 + 8 + 2 + Signature.LENGTH) {
            throw new PeerExchangeException(Rejection.MALFORMED, "record of " + bytes.length + " bytes is too short");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int version = b.get() & 0xFF;
        if (version != VERSION) {
            throw new PeerExchangeException(Rejection.UNSUPPORTED_VERSION, "record version " + version);
        }
        long timestamp = b.getLong();
        int length = b.getShort() & 0xFFFF;
        if (length != bytes.length - (1 + 8 + 2 + Signature.LENGTH)) {
            throw new PeerExchangeException(Rejection.MALFORMED, "address length " + length + " does not fit a record of "
                    + bytes.length + " bytes");
        }
        byte[] text = new byte[length];
        b.get(text);
        for (byte c : text) {
            if (c < 0x21 || c > 0x7E) {
                throw new PeerExchangeException(Rejection.MALFORMED, "address is not printable ASCII");
            }
        }
        NodeAddress address;
        try {
            address = NodeAddress.parse(new String(text, StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new PeerExchangeException(Rejection.MALFORMED, "bad address: " + e.getMessage());
        }
        if (address.directAddresses().size() > MAX_DIRECT_ADDRESSES) {
            throw new PeerExchangeException(Rejection.OVERSIZED, address.directAddresses().size()
                    + " direct addresses, at most " + MAX_DIRECT_ADDRESSES);
        }
        if (address.nodeId().isWeak()) {
            throw new PeerExchangeException(Rejection.BAD_SIGNATURE, "node id is a weak key");
        }
        byte[] sig = new byte[Signature.LENGTH];
        b.get(sig);
        Signature signature = Signature.fromBytes(sig);
        byte[] unsigned = Arrays.copyOf(bytes, bytes.length - Signature.LENGTH);
        if (!DiscoverySigner.verify(address.nodeId(), signedBytes(network, unsigned), signature)) {
            throw new PeerExchangeException(Rejection.BAD_SIGNATURE, "record of " + address.nodeId() + " is not signed by it");
        }
        return new PeerRecord(address, timestamp, signature, bytes.clone());
    }

    /**
     * Checks the record's age against {@code now}.
     *
     * @throws PeerExchangeException {@link Rejection#STALE} if older than {@code ttl},
     *     {@link Rejection#FUTURE} if dated more than {@code skew} ahead
     */
    void checkAge(Instant now, Duration ttl, Duration skew) {
        long nowMillis = now.toEpochMilli();
        if (timestampMillis > nowMillis + skew.toMillis()) {
            throw new PeerExchangeException(Rejection.FUTURE, "record of " + nodeId() + " is dated "
                    + (timestampMillis - nowMillis) + " ms ahead");
        }
        if (timestampMillis < nowMillis - ttl.toMillis()) {
            throw new PeerExchangeException(Rejection.STALE, "record of " + nodeId() + " is "
                    + (nowMillis - timestampMillis) + " ms old");
        }
    }

    private static byte[] signedBytes(NetworkId network, byte[] unsigned) {
        byte[] id = network.bytes();
        byte[] out = new byte[id.length + unsigned.length];
        System.arraycopy(id, 0, out, 0, id.length);
        System.arraycopy(unsigned, 0, out, id.length, unsigned.length);
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerRecord r && Arrays.equals(encoded, r.encoded);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(encoded);
    }

    @Override
    public String toString() {
        return "PeerRecord[" + address.toText() + " at " + timestamp() + "]";
    }
}
