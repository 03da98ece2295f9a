package dev.pando.gossip;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.PandoException;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gossip connection to one remote node, shared by every topic: a bounded queue of frames that
 * a writer task drains onto the stream this node opened, and a reader loop on the stream the peer
 * opened. Both run on the service's executor; neither holds the service's lock while it blocks.
 */
final class Link {
    private static final Logger LOG = LoggerFactory.getLogger(Link.class);

    final PublicKey peer;
    final Connection connection;
    private final PlumtreeGossip service;
    // guarded by this
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private DuplexStream out;
    private boolean draining;
    private boolean failed;
    // the reader's own: a token bucket of inbound frames, measured on the service's clock
    private double tokens;
    private long refilledAt;

    Link(PlumtreeGossip service, Connection connection) {
        this.service = service;
        this.connection = connection;
        this.peer = connection.remoteNodeId();
        this.tokens = service.options.inboundFramesPerSecond();
        this.refilledAt = service.clock().nanoTime();
    }

    /**
     * Queues a frame; never blocks. Payload frames beyond the queue's bound are dropped (and
     * counted): a peer that slow cannot keep up with the overlay, and PlumTree repairs the gap
     * through another neighbour. Control frames are queued up to twice the bound, beyond which the
     * peer reads nothing at all and is given up.
     *
     * @return false if the frame was dropped
     */
    boolean send(byte[] frame, boolean payload) {
        boolean start = false;
        boolean giveUp = false;
        int bound = service.options.sendQueue();
        synchronized (this) {
            if (failed) {
                return false;
            }
            if (payload && queue.size() >= bound) {
                service.dropped.incrementAndGet();
                return false;
            }
            if (queue.size() >= 2 * bound) {
                giveUp = true;
                failed = true;
                queue.clear();
            } else {
                queue.add(frame);
                if (out != null && !draining) {
                    draining = true;
                    start = true;
                }
            }
        }
        if (giveUp) {
            service.dropped.incrementAndGet();
            LOG.debug("gossip: {} reads nothing, {} frames queued: closing", peer, 2 * bound);
            service.execute(connection::close);
            return false;
        }
        if (start) {
            service.execute(this::drain);
        }
        return true;
    }

    void outboundReady(DuplexStream stream) {
        boolean start;
        synchronized (this) {
            out = stream;
            queue.addFirst(Wire.hello());
            start = !draining;
            draining = true;
        }
        if (start) {
            drain();
        }
    }

    /** Frames queued together are written in one call of up to this many bytes (fewer packets). */
    private static final int BATCH_BYTES = 64 * 1024;

    private void drain() {
        DuplexStream stream;
        synchronized (this) {
            stream = out;
        }
        byte[] batch = new byte[BATCH_BYTES];
        try {
            while (true) {
                byte[] single = null;
                int filled = 0;
                synchronized (this) {
                    byte[] next = queue.peek();
                    if (next == null) {
                        draining = false;
                        return;
                    }
                    if (next.length >= BATCH_BYTES) {
                        single = queue.poll();
                    } else {
                        while (next != null && filled + next.length <= BATCH_BYTES) {
                            queue.poll();
                            System.arraycopy(next, 0, batch, filled, next.length);
                            filled += next.length;
                            next = queue.peek();
                        }
                    }
                }
                if (single != null) {
                    stream.write(single);
                } else {
                    stream.write(batch, 0, filled);
                }
                stream.flush();
            }
        } catch (RuntimeException e) {
            LOG.debug("gossip: writing to {} failed: {}", peer, e.toString());
            synchronized (this) {
                failed = true;
                queue.clear();
                draining = false;
            }
            connection.close();
        }
    }

    /** Reads frames until the stream ends or the peer breaks the protocol; runs on an executor thread. */
    void readLoop(DuplexStream in) {
        byte[] header = new byte[4];
        boolean greeted = false;
        int limit = Math.max(Wire.CONTROL_FRAME_LIMIT, 1 + 32 + Wire.MESSAGE_ID_LENGTH + 2 + service.options.maxMessageBytes());
        try {
            while (true) {
                if (!readHeader(in, header)) {
                    connection.close();
                    return;
                }
                int length = ((header[0] & 0xFF) << 24) | ((header[1] & 0xFF) << 16) | ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
                if (length < 1 || length > limit) {
                    throw new ProtocolViolationException("a frame of " + Integer.toUnsignedString(length)
                            + " bytes, the limit is " + limit);
                }
                byte[] body = new byte[length];
                in.readFully(body, 0, length);
                if (!greeted) {
                    if (!Wire.isHello(body)) {
                        throw new ProtocolViolationException("the first frame is not HELLO version " + Wire.VERSION);
                    }
                    greeted = true;
                    continue;
                }
                takeToken();
                service.received(this, Wire.decode(body, service.options.maxMessageBytes()));
            }
        } catch (ProtocolViolationException e) {
            service.hostile(this, e.getMessage());
        } catch (PandoException e) {
            LOG.debug("gossip: reading from {} ended: {}", peer, e.toString());
            connection.close();
        } catch (RuntimeException e) {
            // a bug of ours must not leave the link half alive
            LOG.warn("gossip: the reader of {} failed", peer, e);
            connection.close();
        }
    }

    /** One frame's worth of the peer's inbound rate; a peer over its rate is flooding. */
    private void takeToken() {
        int rate = service.options.inboundFramesPerSecond();
        long now = service.clock().nanoTime();
        tokens = Math.min(rate, tokens + (now - refilledAt) * (rate / 1e9));
        refilledAt = now;
        if (tokens < 1) {
            throw new ProtocolViolationException("more than " + rate + " frames a second");
        }
        tokens -= 1;
    }

    /** Reads a frame header; false at a clean end of stream. An idle deadline between frames is fine. */
    private boolean readHeader(DuplexStream in, byte[] header) {
        int done = 0;
        while (done < 4) {
            int n;
            try {
                n = in.read(header, done, 4 - done);
            } catch (DeadlineExceededException e) {
                if (done == 0 && connection.isOpen()) {
                    continue;
                }
                throw e;
            }
            if (n < 0) {
                if (done == 0) {
                    return false;
                }
                throw new ConnectionClosedException("the stream ended inside a frame header");
            }
            done += n;
        }
        return true;
    }
}
