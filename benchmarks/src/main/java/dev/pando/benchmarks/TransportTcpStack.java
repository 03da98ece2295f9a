package dev.pando.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * The baseline: plain {@code java.net} sockets on loopback, TCP_NODELAY on. TCP has no streams, so
 * the client's first {@link Client#openStream()} uses the connection made by
 * {@link Server#connect()} and every later one is a fresh TCP connection (the "streams" figure is
 * then connections per second). The handshake is {@code Socket.connect} alone.
 */
final class TransportTcpStack implements TransportStack {
    private final ExecutorService workers;

    TransportTcpStack(ExecutorService workers) {
        this.workers = workers;
    }

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public Server startServer() throws IOException {
        ServerSocket listener = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        Set<Socket> open = ConcurrentHashMap.newKeySet();
        workers.execute(() -> {
            while (!listener.isClosed()) {
                try {
                    Socket s = listener.accept();
                    s.setTcpNoDelay(true);
                    open.add(s);
                    workers.execute(() -> {
                        TransportStack.serve(new SocketPipe(s));
                        open.remove(s);
                    });
                } catch (IOException e) {
                    // closed: the loop ends
                }
            }
        });
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        return new Server() {
            @Override
            public InetSocketAddress address() {
                return address;
            }

            @Override
            public Client connect(InetSocketAddress via) throws IOException {
                long start = System.nanoTime();
                Socket first = dial(via);
                long handshake = System.nanoTime() - start;
                return new TcpClient(via, first, handshake);
            }

            @Override
            public void close() {
                closeQuietly(listener);
                open.forEach(TransportTcpStack::closeQuietly);
            }
        };
    }

    private static Socket dial(InetSocketAddress address) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(address, 10_000);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing for cleanup: nothing more to do
        }
    }

    private static final class TcpClient implements Client {
        private final InetSocketAddress address;
        private final long handshakeNanos;
        private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
        private Socket unused;
        private volatile boolean closed;

        TcpClient(InetSocketAddress address, Socket first, long handshakeNanos) {
            this.address = address;
            this.unused = first;
            this.handshakeNanos = handshakeNanos;
            sockets.add(first);
        }

        @Override
        public long handshakeNanos() {
            return handshakeNanos;
        }

        @Override
        public synchronized Pipe openStream() throws IOException {
            if (closed) {
                throw new IOException("client closed");
            }
            Socket s = unused;
            unused = null;
            if (s == null) {
                s = dial(address);
                sockets.add(s);
            }
            Socket socket = s;
            return new SocketPipe(socket) {
                @Override
                public void close() {
                    super.close();
                    sockets.remove(socket);
                }
            };
        }

        @Override
        public void close() {
            closed = true;
            sockets.forEach(TransportTcpStack::closeQuietly);
        }
    }

    private static class SocketPipe implements Pipe {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        SocketPipe(Socket socket) {
            this.socket = socket;
            try {
                this.in = socket.getInputStream();
                this.out = socket.getOutputStream();
            } catch (IOException e) {
                throw new IllegalStateException("socket closed before use", e);
            }
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return in.read(buffer, offset, length);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
            out.write(buffer, offset, length);
        }

        @Override
        public void flush() {
            // socket streams are unbuffered
        }

        @Override
        public void closeOutput() throws IOException {
            socket.shutdownOutput();
        }

        @Override
        public void close() {
            closeQuietly(socket);
        }
    }
}
