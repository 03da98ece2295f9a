package dev.pando.testkit.support;

import dev.pando.spi.DuplexStream;
import java.time.Duration;
import java.util.Objects;

/** One end of a stream on a {@link MemoryConnection}: reads {@code in}, writes {@code out}. */
final class MemoryStream implements DuplexStream {
    private final MemoryConnection connection;
    private final MemoryPipe in;
    private final MemoryPipe out;
    private volatile Duration timeout;

    MemoryStream(MemoryConnection connection, MemoryPipe in, MemoryPipe out, Duration timeout) {
        this.connection = connection;
        this.in = in;
        this.out = out;
        this.timeout = timeout;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        return in.read(buffer, offset, length, timeout);
    }

    @Override
    public void write(byte[] buffer, int offset, int length) {
        out.write(buffer, offset, length, timeout);
    }

    @Override
    public void flush() {
        // every write is handed to the medium at once; nothing is held back
    }

    @Override
    public void closeOutput() {
        out.finish();
        releaseIfDone();
    }

    @Override
    public void abort() {
        abortBoth("stream aborted by node " + connection.local.id);
    }

    void abortBoth(String reason) {
        MemoryNetwork network = connection.network;
        network.lock.lock();
        try {
            in.abort(reason);
            out.abort(reason);
            releaseIfDone();
        } finally {
            network.lock.unlock();
        }
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public void timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        this.timeout = timeout;
    }

    @Override
    public void close() {
        out.finish();
        in.discard();
        releaseIfDone();
    }

    /** Bytes readable now without waiting (for tests of link conditions). */
    int available() {
        return in.available();
    }

    /** Forgets the stream on both connection ends once both directions are over (bounded memory). */
    void releaseIfDone() {
        MemoryNetwork network = connection.network;
        network.lock.lock();
        try {
            // a direction whose FIN was sent and never read is over for this end but not the peer's
            if (in.terminal() && out.terminal()) {
                MemoryStream other = in.writerEnd();
                connection.streams.remove(this);
                other.connection.streams.remove(other);
            }
        } finally {
            network.lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "MemoryStream[" + connection + "]";
    }
}
