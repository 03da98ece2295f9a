package dev.pando;

/**
 * The id of a log within an author's logs: any byte string, carried in the {@code "log_id"}
 * extension. A header without that extension belongs to {@link #EMPTY}. Topic logs default to
 * {@link #forTopic(TopicId)}, BLAKE3 of the topic id.
 */
public final class LogId extends ByteValue implements Comparable<LogId> {
    /** The log of headers without a {@code "log_id"} extension. */
    public static final LogId EMPTY = new LogId(new byte[0]);
    /** Longest log id accepted, in bytes. */
    public static final int MAX_LENGTH = 255;

    private LogId(byte[] bytes) {
        super(bytes, -1, "a log id");
        if (bytes.length > MAX_LENGTH) {
            throw new IllegalArgumentException("a log id is at most " + MAX_LENGTH + " bytes, got " + bytes.length);
        }
    }

    public static LogId of(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new LogId(bytes.clone());
    }

    public static LogId fromHex(String hex) {
        return of(parseHex(hex, "log id"));
    }

    /** The default log of a topic: BLAKE3 of the topic id bytes. */
    public static LogId forTopic(TopicId topic) {
        return new LogId(Hash.of(topic.bytes).bytes);
    }

    static LogId wrap(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new LogId(bytes);
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    public int length() {
        return bytes.length;
    }

    @Override
    public int compareTo(LogId other) {
        return compareBytes(other);
    }
}
