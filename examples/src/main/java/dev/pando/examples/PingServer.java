package dev.pando.examples;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.ProtocolViolationException;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.Transport;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers {@code pando/ping/1} on a transport: every stream a peer opens gets its request echoed
 * back as a reply. Streams are served by a small bounded pool; a stream that breaks the protocol
 * or stalls past the stream timeout is aborted and its peer's connection closed, counted by kind,
 * and serving goes on. Thread-safe; {@link #close()} is idempotent.
 */
final class PingServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PingServer.class);

    /** The error kinds counted, in the order the summary prints them. */
    static final String PROTOCOL_VIOLATION = "ProtocolViolation";
    static final String DEADLINE_EXCEEDED = "DeadlineExceeded";
    static final String CONNECTION_CLOSED = "ConnectionClosed";
    static final String OVERLOADED = "Overloaded";
    static final String INTERNAL = "Internal";
    private static final String[] KINDS = {PROTOCOL_VIOLATION, DEADLINE_EXCEEDED, CONNECTION_CLOSED, OVERLOADED, INTERNAL};

    private static final int WORKERS = 8;
    private static final int QUEUED_STREAMS = 64;

    private final Transport transport;
    private final Duration streamTimeout;
    private final ThreadPoolExecutor workers;
    private final AtomicLong connections = new AtomicLong();
    private final AtomicLong pings = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final Map<String, AtomicLong> errors = new LinkedHashMap<>();
    private volatile boolean closing;
    private boolean closed;

    /** A server for a transport that is not started yet; {@link #start()} starts it. */
    PingServer(Transport transport, Duration streamTimeout) {
        this.transport = transport;
        this.streamTimeout = streamTimeout;
        for (String kind : KINDS) {
            errors.put(kind, new AtomicLong());
        }
        AtomicInteger n = new AtomicInteger();
        // bounded threads and queue: a flood of streams costs at most WORKERS + QUEUED_STREAMS at a time
        this.workers = new ThreadPoolExecutor(WORKERS, WORKERS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUED_STREAMS), r -> {
                    Thread t = new Thread(r, "pando-ping-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        workers.allowCoreThreadTimeOut(true);
    }

    /** Registers the protocol and starts the transport. */
    void start() {
        transport.accept(PingProtocol.NAME, this::accepted);
        transport.start();
    }

    private void accepted(Connection connection) {
        connections.incrementAndGet();
        acceptNext(connection);
    }

    // runs on the transport's callback thread: only hands streams over, never blocks
    private void acceptNext(Connection connection) {
        connection.acceptStream().whenComplete((stream, failure) -> {
            if (failure != null) {
                return; // the connection closed: its streams are over
            }
            try {
                workers.execute(() -> serve(connection, stream));
            } catch (RejectedExecutionException e) {
                stream.abort();
                if (!closing) {
                    count(OVERLOADED);
                }
            }
            acceptNext(connection);
        });
    }

    private void serve(Connection connection, DuplexStream stream) {
        // not try-with-resources: close() would end the stream normally (FIN) before a catch
        // block could abort it, and a dropped peer must see a reset, not an empty answer
        try {
            stream.timeout(streamTimeout);
            byte[] request = PingProtocol.readMessage(stream);
            long seq = PingProtocol.check(request, PingProtocol.REQUEST);
            byte[] reply = request.clone();
            reply[0] = PingProtocol.REPLY;
            stream.write(reply);
            stream.closeOutput();
            stream.close();
            pings.incrementAndGet();
            bytes.addAndGet(request.length + reply.length);
            LOG.debug("ping {} from {} ({} bytes)", seq, connection.remoteNodeId(), request.length);
        } catch (ProtocolViolationException | DeadlineExceededException e) {
            // garbage or a stall: drop the stream and this peer's connection, count it, serve on
            stream.abort();
            connection.close();
            if (!closing) {
                count(e instanceof ProtocolViolationException ? PROTOCOL_VIOLATION : DEADLINE_EXCEEDED);
                LOG.debug("dropped {}: {}", connection.remoteNodeId(), e.getMessage());
            }
        } catch (ConnectionClosedException e) {
            stream.abort();
            if (!closing) {
                count(CONNECTION_CLOSED);
                LOG.debug("stream of {} closed: {}", connection.remoteNodeId(), e.getMessage());
            }
        } catch (RuntimeException e) {
            stream.abort();
            count(INTERNAL);
            LOG.warn("unexpected failure serving a ping from {}", connection.remoteNodeId(), e);
        }
    }

    private void count(String kind) {
        errors.get(kind).incrementAndGet();
    }

    /** Connections accepted (one per peer that dialed the protocol). */
    long connections() {
        return connections.get();
    }

    /** Pings answered. */
    long pings() {
        return pings.get();
    }

    /** Bytes of requests and replies of the pings answered. */
    long bytes() {
        return bytes.get();
    }

    /** Errors by kind, every kind present, in a fixed order. */
    Map<String, Long> errors() {
        Map<String, Long> m = new LinkedHashMap<>();
        errors.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /** Closes the transport and stops the workers. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closing = true;
        try {
            transport.close();
        } finally {
            workers.shutdownNow();
            try {
                // the transport aborted every stream, so the workers end at once
                if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.warn("ping workers did not stop within 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
