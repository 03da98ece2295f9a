package dev.pando.transport.quic;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.spi.DuplexStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import tech.kwik.core.QuicStream;

/**
 * A {@link DuplexStream} over one kwik bidirectional stream. kwik's blocking reads and writes
 * have no timeout, so each call notes when it started blocking (one volatile write, no timer
 * task per call); the transport's deadline sweep ({@link Deadlines}) checks the running calls a
 * few times per second, and for a call that has run past the stream's timeout it aborts the kwik
 * stream (which wakes the blocked thread), and the call fails with {@link DeadlineExceededException}.
 * Such a stream is taken as a sign of kwik's stall (see the README) and the owner is told, so
 * that it drops the whole connection.
 */
final class KwikStream implements DuplexStream {
    /** Application error code sent in RESET_STREAM / STOP_SENDING when we abort. */
    static final long ABORTED = 1;

    /** What the stream tells its owner. */
    interface Owner {
        /** The stream made no progress within its deadline. */
        void stalled(KwikStream stream);

        /** The stream is finished with (closed or aborted); stop tracking it. */
        void released(KwikStream stream);
    }

    private final QuicStream quic;
    private final InputStream in;
    private final OutputStream out;
    private final Deadlines deadlines;
    private final Owner owner;
    private final AtomicBoolean outputClosed = new AtomicBoolean();
    private final AtomicBoolean aborted = new AtomicBoolean();
    private final AtomicBoolean expired = new AtomicBoolean();
    private volatile boolean inputDone;
    private volatile Duration timeout;
    private volatile long timeoutNanos;
    /** When the running read / write started (System.nanoTime), or {@link #IDLE}. */
    private volatile long readSince = IDLE;
    private volatile long writeSince = IDLE;
    private volatile ProtocolConnection connection;

    /** No call running. A real nanoTime of exactly this value is nudged by one (see {@link #now()}). */
    private static final long IDLE = 0;

    KwikStream(QuicStream quic, Duration timeout, Deadlines deadlines, Owner owner) {
        this.quic = quic;
        this.in = quic.getInputStream();
        this.out = quic.getOutputStream();
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
        this.deadlines = deadlines;
        this.owner = owner;
    }

    /** The protocol connection this stream belongs to, once its preamble is known. */
    ProtocolConnection connection() {
        return connection;
    }

    void connection(ProtocolConnection connection) {
        this.connection = connection;
    }

    int streamId() {
        return quic.getStreamId();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        if (length == 0) {
            return 0;
        }
        checkUsable();
        if (inputDone) {
            return -1;
        }
        readSince = now();
        deadlines.running();
        try {
            int n = in.read(buffer, offset, length);
            if (n < 0) {
                inputDone = true; // released in finally, once this call no longer counts as running
            }
            return n;
        } catch (IOException e) {
            throw failure("read", e);
        } finally {
            readSince = IDLE;
            releaseIfDone();
        }
    }

    @Override
    public void write(byte[] buffer, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        checkUsable();
        if (outputClosed.get()) {
            throw new ConnectionClosedException("stream output already closed");
        }
        if (length == 0) {
            return;
        }
        writeSince = now();
        deadlines.running();
        try {
            out.write(buffer, offset, length);
        } catch (IOException e) {
            throw failure("write", e);
        } finally {
            writeSince = IDLE;
            releaseIfDone();
        }
    }

    @Override
    public void flush() {
        checkUsable();
        // kwik queues written bytes for sending at once; there is nothing to push.
    }

    @Override
    public void closeOutput() {
        if (aborted.get() || !outputClosed.compareAndSet(false, true)) {
            return;
        }
        try {
            out.close();
        } catch (IOException e) {
            // the stream is already reset or the connection gone: nothing left to close
        }
        releaseIfDone();
    }

    @Override
    public void abort() {
        if (!aborted.compareAndSet(false, true)) {
            return;
        }
        abortQuietly();
        owner.released(this);
    }

    /** Aborts because the connection went away: no frames can be sent any more anyway. */
    void connectionGone() {
        if (aborted.compareAndSet(false, true)) {
            abortQuietly();
        }
    }

    private void abortQuietly() {
        try {
            quic.resetStream(ABORTED);
        } catch (RuntimeException e) {
            // kwik throws when the connection is already closed; the stream is gone either way
        }
        try {
            quic.abortReading(ABORTED);
        } catch (RuntimeException e) {
            // as above
        }
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public void timeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.timeoutNanos = timeout.toNanos();
        this.timeout = timeout;
    }

    @Override
    public void close() {
        closeOutput();
        if (!inputDone && !aborted.get()) {
            inputDone = true;
            try {
                // STOP_SENDING: the peer stops sending what we would discard
                quic.abortReading(0);
            } catch (RuntimeException e) {
                // connection already closed
            }
            releaseIfDone();
        }
    }

    private void releaseIfDone() {
        // a call still running on another thread keeps the stream tracked: the deadline sweep
        // finds running calls through the tracked streams; that call's finally releases it
        if (inputDone && outputClosed.get() && readSince == IDLE && writeSince == IDLE) {
            owner.released(this);
        }
    }

    private static long now() {
        long t = System.nanoTime();
        return t == IDLE ? t + 1 : t;
    }

    /**
     * Called by the deadline sweep: fails a read or write that has been blocked for longer than
     * the timeout. Returns whether a call is running (so the sweep must keep going).
     */
    boolean checkDeadline(long now) {
        long r = readSince;
        long w = writeSince;
        if (r == IDLE && w == IDLE) {
            return false;
        }
        long limit = timeoutNanos;
        if ((r != IDLE && now - r >= limit) || (w != IDLE && now - w >= limit)) {
            expire();
        }
        return true;
    }

    private void expire() {
        if (!expired.compareAndSet(false, true)) {
            return;
        }
        if (aborted.compareAndSet(false, true)) {
            abortQuietly();
        }
        owner.stalled(this);
    }

    private void checkUsable() {
        if (expired.get()) {
            throw new DeadlineExceededException("stream " + streamId() + " made no progress within " + timeout);
        }
        if (aborted.get()) {
            throw new ConnectionClosedException("stream " + streamId() + " was aborted");
        }
    }

    private RuntimeException failure(String what, IOException e) {
        if (expired.get()) {
            return new DeadlineExceededException(
                    what + " on stream " + streamId() + " made no progress within " + timeout);
        }
        return new ConnectionClosedException(what + " on stream " + streamId() + " failed: " + e.getMessage());
    }
}
