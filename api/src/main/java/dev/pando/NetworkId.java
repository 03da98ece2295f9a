package dev.pando;

import java.nio.charset.StandardCharsets;

/**
 * The network a node belongs to, 32 bytes. Protocol names are bound to it, so nodes of different
 * networks never talk. {@link #DEFAULT} is p2panda's default, BLAKE3("p2panda").
 */
public final class NetworkId extends ByteValue implements Comparable<NetworkId> {
    public static final int LENGTH = 32;
    public static final NetworkId DEFAULT = named("p2panda");

    private NetworkId(byte[] bytes) {
        super(bytes, LENGTH, "a network id");
    }

    public static NetworkId fromBytes(byte[] bytes) {
        return new NetworkId(bytes.clone());
    }

    public static NetworkId fromHex(String hex) {
        return new NetworkId(parseHex(hex, "network id"));
    }

    /** BLAKE3 of the UTF-8 name. */
    public static NetworkId named(String name) {
        return new NetworkId(Hash.of(name.getBytes(StandardCharsets.UTF_8)).bytes);
    }

    @Override
    public int compareTo(NetworkId other) {
        return compareBytes(other);
    }
}
