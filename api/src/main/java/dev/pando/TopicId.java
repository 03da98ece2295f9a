package dev.pando;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/** A topic: 32 bytes that peers interested in the same data agree on. */
public final class TopicId extends ByteValue implements Comparable<TopicId> {
    public static final int LENGTH = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private TopicId(byte[] bytes) {
        super(bytes, LENGTH, "a topic id");
    }

    public static TopicId fromBytes(byte[] bytes) {
        return new TopicId(bytes.clone());
    }

    public static TopicId fromHex(String hex) {
        return new TopicId(parseHex(hex, "topic id"));
    }

    /** BLAKE3 of the UTF-8 name: a readable way for apps to agree on a topic. */
    public static TopicId named(String name) {
        return new TopicId(Hash.of(name.getBytes(StandardCharsets.UTF_8)).bytes);
    }

    public static TopicId random() {
        byte[] b = new byte[LENGTH];
        RANDOM.nextBytes(b);
        return new TopicId(b);
    }

    @Override
    public int compareTo(TopicId other) {
        return compareBytes(other);
    }
}
