package dev.pando.spi;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;

/**
 * A bidirectional byte stream with back-pressure and deadlines. Blocking: {@code read} waits for
 * data, {@code write} waits while the peer cannot take more. Each read or write fails with
 * {@link dev.pando.DeadlineExceededException} if it makes no progress within {@link #timeout()},
 * and with {@link dev.pando.ConnectionClosedException} if the stream was aborted or the connection
 * closed. One thread may read while another writes.
 */
public interface DuplexStream extends AutoCloseable {

    /**
     * Reads up to {@code length} bytes, blocking until at least one is available.
     *
     * @return the number of bytes read, or -1 once the peer closed its output and all was read
     */
    int read(byte[] buffer, int offset, int length);

    /**
     * Reads exactly {@code length} bytes.
     *
     * @throws dev.pando.ConnectionClosedException if the stream ends first
     */
    default void readFully(byte[] buffer, int offset, int length) {
        int done = 0;
        while (done < length) {
            int n = read(buffer, offset + done, length - done);
            if (n < 0) {
                throw new dev.pando.ConnectionClosedException(
                        "stream ended after " + done + " of " + length + " bytes");
            }
            done += n;
        }
    }

    /**
     * Writes all bytes, blocking while the peer's flow-control window is full. Fails with
     * {@link dev.pando.ConnectionClosedException} after {@link #closeOutput()}, after the stream was
     * aborted, or once the peer {@linkplain #close() closed} its side (it reads nothing more).
     */
    void write(byte[] buffer, int offset, int length);

    default void write(byte[] buffer) {
        write(buffer, 0, buffer.length);
    }

    /** Sends buffered bytes now. */
    void flush();

    /** Half-closes: the peer reads -1 after the bytes written so far. Idempotent. */
    void closeOutput();

    /** Aborts both directions at once; the peer's reads and writes fail. Idempotent. */
    void abort();

    /** The deadline for each read and write. */
    Duration timeout();

    /** Sets the deadline for each read and write. */
    void timeout(Duration timeout);

    /** Closes output and discards any input still to come. Idempotent. */
    @Override
    void close();

    /** This stream's reading side as an {@link InputStream} (errors stay unchecked). */
    default InputStream inputStream() {
        DuplexStream self = this;
        return new InputStream() {
            @Override
            public int read() {
                byte[] one = new byte[1];
                int n;
                do {
                    n = self.read(one, 0, 1);
                } while (n == 0);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return len == 0 ? 0 : self.read(b, off, len);
            }
        };
    }

    /** This stream's writing side as an {@link OutputStream}; closing it half-closes the stream. */
    default OutputStream outputStream() {
        DuplexStream self = this;
        return new OutputStream() {
            @Override
            public void write(int b) {
                self.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                self.write(b, off, len);
            }

            @Override
            public void flush() {
                self.flush();
            }

            @Override
            public void close() {
                self.closeOutput();
            }
        };
    }
}
