package dev.pando.benchmarks;

import java.io.IOException;

/**
 * One transport under test, reduced to what the transport benchmarks need: a server that answers
 * every stream with {@link #serve}, clients that connect to it, and bidirectional byte pipes.
 * Implementations: Pando's providers ("quic", "quic-netty"), raw kwik, raw Netty QUIC, plain TCP.
 */
interface TransportStack {

    /** First byte of every stream: the server echoes the rest until end of stream. */
    int ECHO = 'E';
    /** First byte of every stream: the server counts the rest and answers with the count (8 bytes). */
    int SINK = 'S';

    /** The name used in RESULT lines, e.g. {@code quic_netty}. */
    String name();

    /** Starts a server on 127.0.0.1, port 0. */
    Server startServer() throws Exception;

    interface Server extends AutoCloseable {
        /** The socket address clients dial (127.0.0.1 and the bound port). */
        java.net.InetSocketAddress address();

        /** Connects a fresh client that dials {@code via} instead of {@link #address()}, e.g. a delay relay in front of it. */
        Client connect(java.net.InetSocketAddress via) throws Exception;

        /** Connects a fresh client (fresh identity where the stack has one) to this server. */
        default Client connect() throws Exception { return connect(address()); }

        @Override
        void close();
    }

    interface Client extends AutoCloseable {
        /** How long the timed part of {@link Server#connect()} took, in nanoseconds. */
        long handshakeNanos();

        Pipe openStream() throws Exception;

        /** Closes the connection; a read or write blocked in another thread fails. Idempotent. */
        @Override
        void close();
    }

    /** One bidirectional stream. */
    interface Pipe extends AutoCloseable {
        /** Reads up to {@code length} bytes; -1 at end of stream. */
        int read(byte[] buffer, int offset, int length) throws IOException;

        void write(byte[] buffer, int offset, int length) throws IOException;

        void flush() throws IOException;

        /** Half-closes: the peer reads end of stream. */
        void closeOutput() throws IOException;

        @Override
        void close();

        default void readFully(byte[] buffer, int offset, int length) throws IOException {
            int done = 0;
            while (done < length) {
                int n = read(buffer, offset + done, length - done);
                if (n < 0) {
                    throw new IOException("stream ended after " + done + " of " + length + " bytes");
                }
                done += n;
            }
        }
    }

    /**
     * The server side of every stack: reads the mode byte, then echoes ({@link #ECHO}) or counts
     * ({@link #SINK}) until the client half-closes, then half-closes itself. Errors end the stream
     * only; the client side notices and reports them.
     */
    static void serve(Pipe pipe) {
        try (pipe) {
            byte[] one = new byte[1];
            if (pipe.read(one, 0, 1) != 1) {
                return;
            }
            byte[] buffer = new byte[64 * 1024];
            long count = 0;
            int n;
            if (one[0] == ECHO) {
                while ((n = pipe.read(buffer, 0, buffer.length)) >= 0) {
                    pipe.write(buffer, 0, n);
                    pipe.flush();
                }
            } else if (one[0] == SINK) {
                while ((n = pipe.read(buffer, 0, buffer.length)) >= 0) {
                    count += n;
                }
                byte[] answer = new byte[8];
                for (int i = 0; i < 8; i++) {
                    answer[i] = (byte) (count >>> (56 - 8 * i));
                }
                pipe.write(answer, 0, 8);
                pipe.flush();
            }
            pipe.closeOutput();
        } catch (IOException | RuntimeException e) {
            // the client aborted or the run was abandoned as stalled; the client reports it
        }
    }
}
