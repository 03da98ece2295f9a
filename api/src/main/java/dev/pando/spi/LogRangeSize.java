package dev.pando.spi;

/** How many operations, and how many header plus body bytes, a range of a log holds. */
public record LogRangeSize(long operations, long bytes) {
    public static final LogRangeSize EMPTY = new LogRangeSize(0, 0);
}
