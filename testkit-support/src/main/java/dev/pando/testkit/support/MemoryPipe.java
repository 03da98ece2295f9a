package dev.pando.testkit.support;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.Condition;

/**
 * One direction of a stream: packets in flight or unread, each readable from its delivery time on.
 * The window bounds the bytes in flight plus unread, so a writer blocks when the reader lags
 * (as with QUIC flow control, though the credit returns at once instead of after a round trip).
 * Guarded by the network's lock.
 */
final class MemoryPipe {
    private final MemoryNetwork network;
    private final MemoryTransport from;
    private final MemoryTransport to;
    private final int window;
    // the reader and the writer of this direction wait here; only this pipe's changes signal it
    private final Condition changed;
    private final ArrayDeque<Packet> packets = new ArrayDeque<>();
    private int buffered;
    private boolean finished;
    private boolean finRead;
    private boolean discarded;
    private String abortReason;
    private MemoryStream writerEnd;
    private MemoryStream readerEnd;

    MemoryPipe(MemoryNetwork network, MemoryTransport from, MemoryTransport to, int window) {
        this.network = network;
        this.from = from;
        this.to = to;
        this.window = window;
        this.changed = network.lock.newCondition();
    }

    void ends(MemoryStream writer, MemoryStream reader) {
        this.writerEnd = writer;
        this.readerEnd = reader;
    }

    MemoryStream writerEnd() {
        return writerEnd;
    }

    MemoryStream readerEnd() {
        return readerEnd;
    }

    /** Nothing more will happen on this direction. */
    boolean terminal() {
        return abortReason != null || discarded || finRead;
    }

    void write(byte[] buffer, int offset, int length, Duration timeout) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        network.lock.lock();
        try {
            long deadline = NetworkClock.plus(network.clock.nanoTime(), timeout);
            while (length > 0) {
                if (abortReason != null) {
                    throw new ConnectionClosedException(abortReason);
                }
                if (finished) {
                    throw new ConnectionClosedException("the stream's output is already closed");
                }
                if (discarded) {
                    throw new ConnectionClosedException("node " + to.id + " closed the stream and reads no more");
                }
                int space = window - buffered;
                if (space > 0) {
                    int n = Math.min(Math.min(space, length), MemoryNetwork.PACKET_SIZE);
                    byte[] data = Arrays.copyOfRange(buffer, offset, offset + n);
                    packets.add(new Packet(data, network.deliveryTime(from, to, n)));
                    buffered += n;
                    offset += n;
                    length -= n;
                    deadline = NetworkClock.plus(network.clock.nanoTime(), timeout);
                    changed.signalAll();
                    continue;
                }
                if (network.clock.nanoTime() >= deadline) {
                    throw new DeadlineExceededException("write made no progress for " + timeout
                            + ": node " + to.id + " has not read the " + window + " bytes of its window");
                }
                network.await(changed, deadline);
            }
        } finally {
            network.lock.unlock();
        }
    }

    int read(byte[] buffer, int offset, int length, Duration timeout) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        network.lock.lock();
        try {
            long deadline = NetworkClock.plus(network.clock.nanoTime(), timeout);
            while (true) {
                if (abortReason != null) {
                    throw new ConnectionClosedException(abortReason);
                }
                if (discarded) {
                    throw new ConnectionClosedException("the stream was closed locally");
                }
                long now = network.clock.nanoTime();
                Packet head = packets.peek();
                if (head != null && head.deliverAt <= now) {
                    if (head.data == null) {
                        if (!finRead) {
                            finRead = true;
                            readerEnd.releaseIfDone();
                        }
                        return -1;
                    }
                    int n = 0;
                    while (n < length && head != null && head.data != null && head.deliverAt <= now) {
                        int k = Math.min(length - n, head.data.length - head.position);
                        System.arraycopy(head.data, head.position, buffer, offset + n, k);
                        head.position += k;
                        n += k;
                        if (head.position == head.data.length) {
                            packets.poll();
                            head = packets.peek();
                        }
                    }
                    if (n > 0) {
                        buffered -= n;
                        changed.signalAll();
                    }
                    return n;
                }
                if (length == 0) {
                    return 0;
                }
                if (now >= deadline) {
                    throw new DeadlineExceededException("no data arrived from node " + from.id + " within " + timeout);
                }
                network.await(changed, head == null ? deadline : Math.min(deadline, head.deliverAt));
            }
        } finally {
            network.lock.unlock();
        }
    }

    /** Bytes readable right now without waiting (the delivered prefix). */
    int available() {
        network.lock.lock();
        try {
            long now = network.clock.nanoTime();
            int n = 0;
            for (Packet p : packets) {
                if (p.data == null || p.deliverAt > now) {
                    break;
                }
                n += p.data.length - p.position;
            }
            return n;
        } finally {
            network.lock.unlock();
        }
    }

    /** Half-close: the reader gets -1 after the bytes written so far have arrived. Idempotent. */
    void finish() {
        network.lock.lock();
        try {
            if (finished || abortReason != null || discarded) {
                finished = true;
                return;
            }
            finished = true;
            packets.add(new Packet(null, network.deliveryTime(from, to, 0)));
            changed.signalAll();
        } finally {
            network.lock.unlock();
        }
    }

    /** The reader is gone: drop what is buffered; the writer's next write fails. Idempotent. */
    void discard() {
        network.lock.lock();
        try {
            if (discarded || abortReason != null) {
                return;
            }
            discarded = true;
            packets.clear();
            buffered = 0;
            changed.signalAll();
        } finally {
            network.lock.unlock();
        }
    }

    /** Fails the reader and the writer of this direction with {@code reason}. Idempotent. */
    void abort(String reason) {
        network.lock.lock();
        try {
            if (abortReason != null) {
                return;
            }
            abortReason = reason;
            packets.clear();
            buffered = 0;
            changed.signalAll();
        } finally {
            network.lock.unlock();
        }
    }

    private static final class Packet {
        /** null marks the end of the stream. */
        final byte[] data;
        final long deliverAt;
        int position;

        Packet(byte[] data, long deliverAt) {
            this.data = data;
            this.deliverAt = deliverAt;
        }
    }
}
