package dev.pando.sync.log;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.ProtocolViolationException;
import dev.pando.spi.Clock;
import dev.pando.spi.DuplexStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Length-prefixed frames over a {@link DuplexStream}: a 4-byte big-endian length (1 to the frame
 * limit), then that many bytes. Reads and writes keep the stream's per-call deadline; reads also
 * check the session's overall deadline between calls, so a peer that trickles a byte just within
 * each read deadline still cannot hold a session longer than the session limit. One thread reads,
 * another may write (as the stream allows).
 */
final class FrameStream {
    private final DuplexStream stream;
    private final int maxFrameBytes;
    private final Clock clock;
    private final long deadlineNanos;
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final byte[] lengthIn = new byte[4];

    FrameStream(DuplexStream stream, int maxFrameBytes, Clock clock, long deadlineNanos) {
        this.stream = stream;
        this.maxFrameBytes = maxFrameBytes;
        this.clock = clock;
        this.deadlineNanos = deadlineNanos;
    }

    /** Writes one frame (not flushed). */
    void write(byte[] payload) {
        if (payload.length < 1 || payload.length > maxFrameBytes) {
            // this node's own limit: a message it cannot send (e.g. a body over the frame limit)
            throw new IllegalStateException("a frame of " + payload.length + " bytes is over this node's limit of "
                    + maxFrameBytes + " bytes");
        }
        byte[] length = {(byte) (payload.length >>> 24), (byte) (payload.length >>> 16),
                (byte) (payload.length >>> 8), (byte) payload.length};
        stream.write(length);
        stream.write(payload);
        bytesWritten.addAndGet(4L + payload.length);
    }

    void flush() {
        stream.flush();
    }

    /**
     * Reads one frame.
     *
     * @throws ProtocolViolationException if the length is 0 or over the limit
     * @throws ConnectionClosedException if the stream ends before or inside a frame
     */
    byte[] read() {
        if (!readFully(lengthIn, true)) {
            throw new ConnectionClosedException("the peer closed the stream before the session ended");
        }
        int length = ((lengthIn[0] & 0xFF) << 24) | ((lengthIn[1] & 0xFF) << 16) | ((lengthIn[2] & 0xFF) << 8)
                | (lengthIn[3] & 0xFF);
        if (length <= 0 || length > maxFrameBytes) {
            throw new ProtocolViolationException("frame length " + Integer.toUnsignedString(length)
                    + " is outside 1.." + maxFrameBytes);
        }
        byte[] payload = new byte[length];
        readFully(payload, false);
        return payload;
    }

    long bytesRead() {
        return bytesRead.get();
    }

    long bytesWritten() {
        return bytesWritten.get();
    }

    /** @return false if the stream ended cleanly before the first byte (only if allowed) */
    private boolean readFully(byte[] buffer, boolean endAllowed) {
        int done = 0;
        while (done < buffer.length) {
            checkSessionDeadline();
            int n = stream.read(buffer, done, buffer.length - done);
            if (n < 0) {
                if (done == 0 && endAllowed) {
                    return false;
                }
                throw new ConnectionClosedException("the stream ended inside a frame, after " + done + " of "
                        + buffer.length + " bytes");
            }
            done += n;
            bytesRead.addAndGet(n);
        }
        return true;
    }

    private void checkSessionDeadline() {
        if (clock.nanoTime() - deadlineNanos > 0) {
            throw new DeadlineExceededException("the sync session ran over its time limit");
        }
    }
}
