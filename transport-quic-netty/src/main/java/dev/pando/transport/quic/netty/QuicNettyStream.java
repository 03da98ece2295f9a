package dev.pando.transport.quic.netty;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.spi.DuplexStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A blocking {@link DuplexStream} over one QUIC stream channel, and the channel's last inbound
 * handler.
 *
 * <p>Back-pressure, both ways bounded: the channel runs with auto-read off and the handler asks for
 * more only while fewer than {@link #INBOUND_HIGH} bytes wait to be read (beyond that QUIC flow
 * control holds the peer back); a writer may have at most {@link #OUTBOUND_HIGH} bytes that quiche
 * has not yet taken, so a slow peer blocks {@link #write} instead of filling memory.
 *
 * <p>Received buffers are queued as Netty handed them over and copied once, into the reader's
 * array.
 */
final class QuicNettyStream extends ChannelInboundHandlerAdapter implements DuplexStream {
    static final int INBOUND_HIGH = 256 * 1024;
    static final int OUTBOUND_HIGH = 256 * 1024;
    private static final int CHUNK = 32 * 1024;
    /**
     * How long the last byte written after the peer's end of stream is kept back so that a
     * {@link #closeOutput()} that follows takes it along in the FIN's STREAM frame.
     *
     * <p>Why: quiche (under Netty QUIC) counts a stream's send side complete once its final size
     * is known and every byte before it is acknowledged, whether or not the FIN itself went out.
     * When the FIN is written alone after the data was sent, and is still waiting (congestion
     * window) or is lost when the data's acknowledgment arrives, quiche collects the stream (its
     * receive side being finished too) and the FIN is never sent or resent: the peer waits for an
     * end of stream that never comes. A FIN that travels with at least one unacknowledged byte
     * cannot be dropped so. The danger exists only once the peer's end of stream was read (before
     * that the stream cannot be collected), so only then is a byte kept back, and for this long at
     * most before it goes alone.
     */
    static final long FIN_COALESCE_MILLIS = 5;
    /** Application error code sent in RESET_STREAM / STOP_SENDING when a stream is aborted. */
    static final int ABORTED = 1;

    private final QuicStreamChannel channel;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    // guarded by lock
    private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
    private int buffered;
    private boolean eof;
    private boolean readPaused;
    private boolean discarding;
    private String closedReason;
    private long pendingWrite;
    private boolean outputClosed;
    /** Written, not yet handed to Netty (the event loop takes them all at once; see {@link #enqueue}). */
    private final ArrayDeque<ByteBuf> outbound = new ArrayDeque<>();
    private boolean drainScheduled;
    /** closeOutput() was called: the next drain ends with the FIN. */
    private boolean finQueued;
    /** The last byte written after the peer's end of stream, kept back for the FIN (see {@link #FIN_COALESCE_MILLIS}). */
    private ByteBuf held;
    /** Sends {@link #held} alone if no FIN came in time; set and cancelled on the event loop only, so neither wakes it. */
    private io.netty.util.concurrent.ScheduledFuture<?> releaseTimer;

    private volatile Duration timeout;
    private volatile Consumer<QuicNettyStream> onClose = s -> { };

    QuicNettyStream(QuicStreamChannel channel, Duration timeout) {
        this.channel = channel;
        this.timeout = timeout;
        channel.closeFuture().addListener(f -> channelClosed());
    }

    QuicStreamChannel channel() {
        return channel;
    }

    /** Called once when the stream's channel has closed (for bookkeeping by its connection). */
    void onClose(Consumer<QuicNettyStream> listener) {
        this.onClose = listener;
        if (!channel.isOpen()) {
            listener.accept(this);
        }
    }

    /** Bytes that arrived before this handler took over (after the preamble); event loop only. */
    void prepend(ByteBuf leftover) {
        if (leftover.isReadable()) {
            lock.lock();
            try {
                buffered += leftover.readableBytes();
                inbound.add(leftover.readRetainedSlice(leftover.readableBytes()));
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Releases what waits to be read; under lock. */
    private void dropInbound() {
        ByteBuf b;
        while ((b = inbound.poll()) != null) {
            b.release();
        }
        buffered = 0;
    }

    // ---- Netty side (event loop) ----

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (channel.isActive()) {
            channel.read();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = msg instanceof QuicStreamFrame f ? f.content() : (ByteBuf) msg;
        int n = buf.readableBytes();
        lock.lock();
        try {
            if (channel.isInputShutdown() && closedReason == null) {
                // Netty delivers the data that came with the peer's FIN before the input-shutdown
                // event: a writer that reads it must already know the peer has finished
                eof = true;
            }
            if (n > 0 && !discarding && closedReason == null) {
                // kept as received (releasing the frame's content releases the frame); the reader copies it once
                inbound.add(buf);
                buffered += n;
                changed.signalAll();
                return;
            }
        } finally {
            lock.unlock();
        }
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        boolean more;
        lock.lock();
        try {
            more = !eof && (discarding || buffered < INBOUND_HIGH);
            readPaused = !more && !eof;
        } finally {
            lock.unlock();
        }
        if (more) {
            channel.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            lock.lock();
            try {
                eof = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        signal();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a reset by the peer or a failed connection: the stream is unusable both ways
        fail("stream failed: " + cause.getMessage());
        channel.close();
    }

    private void channelClosed() {
        lock.lock();
        try {
            if (closedReason == null) {
                closedReason = eof ? "stream closed" : "stream closed before the peer finished sending (reset or connection closed)";
            }
            // what was received stays readable, but on the heap: pooled buffers must not wait
            // for a reader that may never come back (the GC reclaims these)
            for (int i = inbound.size(); i > 0; i--) {
                ByteBuf b = inbound.poll();
                inbound.add(Unpooled.copiedBuffer(b));
                b.release();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        dropOutbound(); // nothing more can be sent on a closed channel
        onClose.accept(this);
    }

    private void fail(String reason) {
        lock.lock();
        try {
            if (closedReason == null) {
                closedReason = reason;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // ---- blocking side (caller threads) ----

    private void notOnEventLoop() {
        if (channel.eventLoop().inEventLoop()) {
            throw new IllegalStateException("blocking stream I/O on a transport thread would deadlock it");
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        notOnEventLoop();
        if (length == 0) {
            return 0;
        }
        boolean resume = false;
        int n = 0;
        lock.lock();
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (inbound.isEmpty()) {
                if (discarding) {
                    throw new ConnectionClosedException("stream was closed locally");
                }
                if (eof) {
                    return -1;
                }
                if (closedReason != null) {
                    throw new ConnectionClosedException(closedReason);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new DeadlineExceededException("no data within " + timeout.toMillis() + " ms (" + diagnosticsLocked() + ")");
                }
                awaitNanos(left);
            }
            while (n < length && !inbound.isEmpty()) {
                ByteBuf head = inbound.peek();
                int take = Math.min(length - n, head.readableBytes());
                head.readBytes(buffer, offset + n, take);
                n += take;
                if (!head.isReadable()) {
                    inbound.poll().release();
                }
            }
            buffered -= n;
            if (readPaused && buffered < INBOUND_HIGH / 2) {
                readPaused = false;
                resume = true;
            }
        } finally {
            lock.unlock();
        }
        if (resume) {
            channel.read();
        }
        return n;
    }

    @Override
    public void write(byte[] buffer, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buffer.length);
        notOnEventLoop();
        int done = 0;
        while (done < length) {
            int n = Math.min(CHUNK, length - done);
            lock.lock();
            try {
                long deadline = System.nanoTime() + timeout.toNanos();
                while (true) {
                    checkWritable();
                    if (pendingWrite + n <= OUTBOUND_HIGH) {
                        break;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new DeadlineExceededException("peer took no data within " + timeout.toMillis() + " ms");
                    }
                    awaitNanos(left);
                }
                pendingWrite += n;
            } finally {
                lock.unlock();
            }
            ByteBuf b = channel.alloc().directBuffer(n);
            b.writeBytes(buffer, offset + done, n);
            enqueue(b, done + n == length);
            done += n;
        }
    }

    private void checkWritable() {
        if (outputClosed) {
            throw new ConnectionClosedException("stream output is closed");
        }
        if (closedReason != null) {
            throw new ConnectionClosedException(closedReason);
        }
    }

    /**
     * Queues {@code b} (counted in {@code pendingWrite}) for the event loop, which takes everything
     * queued in one task, so a FIN asked for before that task runs leaves in the last data's frame.
     * The last byte of a write made after the peer's end of stream is kept back for the FIN.
     */
    private void enqueue(ByteBuf b, boolean lastOfWrite) {
        boolean drain;
        lock.lock();
        try {
            if (outputClosed || closedReason != null) {
                pendingWrite -= b.readableBytes();
                b.release();
                checkWritable();
            }
            if (held != null) {
                outbound.add(held); // the byte kept back from the write before goes first
                held = null;
            }
            if (lastOfWrite && eof && b.readableBytes() > 0) {
                held = Unpooled.buffer(1).writeByte(b.getByte(b.writerIndex() - 1));
                b.writerIndex(b.writerIndex() - 1);
            }
            if (b.isReadable()) {
                outbound.add(b);
            } else {
                b.release();
            }
            // a byte kept back needs a drain too: it sets the timer that sends it alone
            drain = (!outbound.isEmpty() || held != null) && !drainScheduled;
            drainScheduled |= drain;
        } finally {
            lock.unlock();
        }
        try {
            if (drain) {
                channel.eventLoop().execute(this::drain);
            }
        } catch (RejectedExecutionException e) {
            fail("transport stopped");
            dropOutbound();
        }
    }

    /** Event loop: hands everything queued to Netty, the FIN (if asked for) in the last frame. */
    private void drain() {
        List<ByteBuf> out;
        boolean fin;
        boolean holding;
        lock.lock();
        try {
            drainScheduled = false;
            out = new ArrayList<>(outbound);
            outbound.clear();
            fin = finQueued;
            finQueued = false;
            holding = held != null;
        } finally {
            lock.unlock();
        }
        if (holding && releaseTimer == null) {
            releaseTimer = channel.eventLoop().schedule(this::releaseHeld, FIN_COALESCE_MILLIS, TimeUnit.MILLISECONDS);
        } else if (!holding && releaseTimer != null) {
            releaseTimer.cancel(false); // the byte left with the FIN or the next write
            releaseTimer = null;
        }
        for (int i = 0; i < out.size(); i++) {
            ByteBuf b = out.get(i);
            int size = b.readableBytes();
            Object msg = fin && i == out.size() - 1 ? new DefaultQuicStreamFrame(b, true) : b;
            channel.write(msg).addListener(f -> written(size, f.isSuccess() ? null : f.cause()));
        }
        if (fin && out.isEmpty()) {
            channel.write(QuicStreamFrame.EMPTY_FIN);
        }
        channel.flush();
    }

    /** Event loop: the byte kept back goes alone, no FIN having come for it in time. */
    private void releaseHeld() {
        boolean any;
        releaseTimer = null;
        lock.lock();
        try {
            any = held != null;
            if (any) {
                outbound.add(held);
                held = null;
            }
        } finally {
            lock.unlock();
        }
        if (any) {
            drain();
        }
    }

    /** Releases what waits to be sent (an abort, or the channel closed); the bytes are lost as the peer's stream is. */
    private void dropOutbound() {
        lock.lock();
        try {
            if (held != null) {
                held.release();
                held = null;
            }
            ByteBuf b;
            while ((b = outbound.poll()) != null) {
                pendingWrite -= b.readableBytes();
                b.release();
            }
            finQueued = false;
        } finally {
            lock.unlock();
        }
    }

    private void written(int size, Throwable failure) {
        lock.lock();
        try {
            pendingWrite -= size;
            if (failure != null && closedReason == null) {
                closedReason = "write failed: " + failure.getMessage();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void awaitNanos(long nanos) {
        try {
            changed.awaitNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectionClosedException("interrupted while waiting on a stream", e);
        }
    }

    @Override
    public void flush() {
        // nothing to do: each write is already on its way (the event loop's drain flushes what it
        // takes), except, after the peer's end, a last byte kept back up to FIN_COALESCE_MILLIS for
        // the FIN; report a failed stream here too
        lock.lock();
        try {
            if (closedReason != null && !outputClosed) {
                throw new ConnectionClosedException(closedReason);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void closeOutput() {
        boolean drain;
        lock.lock();
        try {
            if (outputClosed) {
                return;
            }
            outputClosed = true;
            if (held != null) {
                outbound.add(held); // the byte kept back travels with the FIN
                held = null;
            }
            // through the ordinary write path, behind the data not yet sent (shutdownOutput()
            // would bypass Netty's queue)
            finQueued = true;
            drain = !drainScheduled;
            drainScheduled = true;
        } finally {
            lock.unlock();
        }
        if (drain) {
            try {
                channel.eventLoop().execute(this::drain);
            } catch (RejectedExecutionException e) {
                dropOutbound();
            }
        }
    }

    @Override
    public void abort() {
        lock.lock();
        try {
            if (closedReason == null) {
                closedReason = "stream aborted locally";
            }
            outputClosed = true;
            dropInbound();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        dropOutbound();
        if (channel.isOpen()) {
            channel.shutdown(ABORTED).addListener(f -> channel.close());
        }
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public void timeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        this.timeout = timeout;
    }

    @Override
    public void close() {
        closeOutput();
        boolean drain;
        lock.lock();
        try {
            // nothing to drain once the peer's FIN arrived: the channel closes when ours goes out
            drain = !discarding && !eof;
            discarding = true;
            dropInbound();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (drain && channel.isOpen()) {
            // drain and drop what the peer still sends, so its FIN arrives and the channel closes
            channel.eventLoop().execute(() -> {
                channel.config().setAutoRead(true);
                channel.read();
            });
        }
    }

    /** The stream's state in words, for errors and diagnostics. */
    String diagnostics() {
        lock.lock();
        try {
            return diagnosticsLocked();
        } finally {
            lock.unlock();
        }
    }

    private String diagnosticsLocked() {
        return "stream " + channel.streamId() + ": " + buffered + " bytes unread, " + pendingWrite + " bytes not yet taken by QUIC"
                + (readPaused ? ", reading paused" : "") + (eof ? ", peer finished" : "") + (outputClosed ? ", output closed" : "")
                + (channel.isActive() ? "" : ", channel inactive") + (channel.isInputShutdown() ? ", input shut down" : "")
                + (channel.isOutputShutdown() ? ", output shut down" : "") + (channel.isWritable() ? "" : ", not writable")
                + (closedReason == null ? "" : ", " + closedReason);
    }

    @Override
    public String toString() {
        return "QuicNettyStream[" + channel.streamId() + "]";
    }
}
