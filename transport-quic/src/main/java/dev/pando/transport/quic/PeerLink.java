package dev.pando.transport.quic;

import dev.pando.ConnectionClosedException;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.transport.quic.core.CloseCode;
import dev.pando.transport.quic.core.PeerLinks;
import dev.pando.transport.quic.core.StreamPreamble;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.ConnectionTerminatedEvent;
import tech.kwik.core.QuicConnection;
import tech.kwik.core.QuicStream;

/**
 * One physical QUIC connection to a remote node, shared by all protocols in both directions. A
 * link dialed by this node is authenticated before it is registered; a link accepted by the
 * server connector waits for the client's identity proof on its first stream and refuses every
 * other stream until then.
 */
final class PeerLink implements KwikStream.Owner, PeerLinks.Link {
    private static final Logger LOG = LoggerFactory.getLogger(PeerLink.class);

    private final KwikTransport transport;
    private final QuicConnection quic;
    private final boolean dialedByUs;
    private final Set<KwikStream> streams = ConcurrentHashMap.newKeySet();
    private final Set<ProtocolConnection> connections = ConcurrentHashMap.newKeySet();
    private final Set<Creation> creations = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean authStarted = new AtomicBoolean();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();
    private volatile PublicKey remote;
    /** Why the link closed, in words, for every error that meets a closed link; null while open. */
    private volatile String closeCause;
    private volatile long idleSince = System.nanoTime();

    PeerLink(KwikTransport transport, QuicConnection quic, boolean dialedByUs) {
        this.transport = transport;
        this.quic = quic;
        this.dialedByUs = dialedByUs;
    }

    QuicConnection quic() {
        return quic;
    }

    boolean dialedByUs() {
        return dialedByUs;
    }

    @Override
    public boolean accepted() {
        return !dialedByUs;
    }

    /** The proven remote node id; null while an accepted link is not yet authenticated. */
    PublicKey remoteNodeId() {
        return remote;
    }

    void authenticated(PublicKey remoteNodeId) {
        this.remote = remoteNodeId;
    }

    @Override
    public boolean isOpen() {
        return !closed.get();
    }

    /** Why the link closed ("closed by the peer: …", "closed here: …"); null while it is open. */
    String closeCause() {
        return closeCause;
    }

    /** The error for an operation that meets this closed link, naming why it closed. */
    ConnectionClosedException closedError() {
        String cause = closeCause;
        return new ConnectionClosedException("connection to " + (remote == null ? "an unauthenticated node" : remote.hex())
                + " is closed" + (cause == null ? "" : " (" + cause + ")"));
    }

    CompletableFuture<Void> closedFuture() {
        return closedFuture;
    }

    /** Wraps a kwik stream of this link and tracks it until it is released. */
    KwikStream wrap(QuicStream q, Duration timeout) {
        KwikStream s = new KwikStream(q, timeout, transport.deadlines(), this);
        streams.add(s);
        if (closed.get()) {
            streams.remove(s);
            s.connectionGone();
            throw closedError();
        }
        return s;
    }

    /** Checks the deadlines of this link's running stream calls; true if any call is running. */
    boolean checkDeadlines(long now) {
        boolean running = false;
        for (KwikStream s : streams) {
            running |= s.checkDeadline(now);
        }
        for (Creation c : creations) {
            c.interruptIfOverdue(now);
            running = true;
        }
        return running;
    }

    /**
     * Whether kwik will very likely create a stream at once. kwik does not tell how much stream
     * credit the peer has granted; a Pando peer with the default options grants as many as this
     * node's {@code max_streams_per_connection}, and fewer than half of that are in use here.
     * A wrong guess costs one tick of waiting ({@link Creation}), not a hang.
     */
    boolean likelyHasStreamCredit() {
        return streams.size() < transport.settings().maxStreamsPerConnection() / 2;
    }

    /** Registers a {@code createStream} call about to run on the current (caller's) thread. */
    Creation creationStarted() {
        Creation c = new Creation(Thread.currentThread(), System.nanoTime());
        creations.add(c);
        transport.deadlines().running();
        return c;
    }

    /** The call is over; true if the sweep interrupted it (the caller clears the interrupt). */
    boolean creationFinished(Creation c) {
        creations.remove(c);
        return c.finish();
    }

    /**
     * A {@code createStream} running on a caller's thread. kwik's wait for stream credit has no
     * timeout but is interruptible; the sweep interrupts a call still waiting after one tick, and
     * only while the call runs (both under this object's lock), so no interrupt leaks into the
     * caller's later work.
     */
    static final class Creation {
        private final Thread thread;
        private final long since;
        private boolean finished;
        private boolean interrupted;

        Creation(Thread thread, long since) {
            this.thread = thread;
            this.since = since;
        }

        synchronized void interruptIfOverdue(long now) {
            if (!finished && !interrupted && now - since >= Deadlines.TICK_NANOS) {
                interrupted = true;
                thread.interrupt();
            }
        }

        synchronized boolean finish() {
            finished = true;
            return interrupted;
        }
    }

    /** Called by kwik (on its connection thread) for every stream the remote opens. */
    void incoming(QuicStream q) {
        if (closed.get()) {
            q.abortReading(KwikStream.ABORTED);
            q.resetStream(KwikStream.ABORTED);
            return;
        }
        // never block kwik's thread: the preamble and the auth exchange are read on a worker
        if (!transport.execute(() -> transport.handleIncoming(this, q))) {
            q.abortReading(KwikStream.ABORTED);
            q.resetStream(KwikStream.ABORTED);
            transport.counters().refusedStreams.increment();
        }
    }

    /** True exactly once: for the first stream of an accepted link, which must be the auth stream. */
    boolean claimAuthStream() {
        return !dialedByUs && authStarted.compareAndSet(false, true);
    }

    /**
     * Whether no protocol connection of this node has used the link for {@code idle}: nobody
     * here needs it, and kwik's keep-alive would otherwise hold it open forever.
     */
    boolean unusedFor(java.time.Duration idle, long now) {
        return connections.isEmpty() && now - idleSince > idle.toNanos();
    }

    void bind(ProtocolConnection c) {
        connections.add(c);
        if (closed.get()) {
            connections.remove(c);
            c.shutdown();
        }
    }

    void unbind(ProtocolConnection c) {
        connections.remove(c);
        if (connections.isEmpty()) {
            idleSince = System.nanoTime();
        }
    }

    CompletableFuture<KwikStream> openStream(ProtocolConnection c) {
        byte[] preamble = new StreamPreamble(StreamPreamble.Kind.STREAM, c.protocol()).encode();
        return transport.openStream(this, preamble, transport.settings().streamTimeout())
                .thenApply(s -> {
                    s.connection(c);
                    return s;
                });
    }

    /** This node closed {@code c}: forget it and tell the remote (CLOSE_CONNECTION). */
    void connectionClosed(ProtocolConnection c) {
        connections.remove(c);
        if (connections.isEmpty()) {
            idleSince = System.nanoTime();
        }
        transport.forget(c);
        transport.sendClose(this, c.protocol());
    }

    @Override
    public void stalled(KwikStream stream) {
        transport.counters().stalls.increment();
        LOG.debug("stream {} to {} made no progress within {}: dropping the connection", stream.streamId(), remote, stream.timeout());
        transport.execute(() -> close(CloseCode.STALLED, "stream made no progress", true));
    }

    @Override
    public void released(KwikStream stream) {
        streams.remove(stream);
        ProtocolConnection c = stream.connection();
        if (c != null) {
            c.released(stream);
        }
    }

    /** kwik reports the connection gone (idle timeout, peer close, lost). */
    void terminated(ConnectionTerminatedEvent event) {
        close(CloseCode.NORMAL, describe(event), false);
    }

    /** kwik's termination event in words: who closed, why, and the peer's close code. */
    static String describe(ConnectionTerminatedEvent event) {
        StringBuilder b = new StringBuilder();
        switch (event.closeReason()) {
            case IdleTimeout -> b.append("idle timeout");
            case StatelessReset -> b.append("stateless reset from the peer");
            case ConnectionLost -> b.append("connection lost");
            case ImmediateClose -> b.append(event.closedByPeer() ? "closed by the peer" : "closed by kwik");
        }
        if (event.hasApplicationError()) {
            b.append(", ").append(CloseCode.describe(event.applicationErrorCode()));
        } else if (event.hasTransportError()) {
            b.append(", transport error ").append(event.transportErrorCode());
        }
        if (event.errorDescription() != null && !event.errorDescription().isEmpty()) {
            b.append(": ").append(event.errorDescription());
        }
        return b.toString();
    }

    void protocolViolation(ProtocolViolationException e) {
        protocolViolation(e, CloseCode.PROTOCOL_VIOLATION);
    }

    /** Counts a violation of the wire by the peer and closes the link with {@code code}. */
    void protocolViolation(ProtocolViolationException e, CloseCode code) {
        transport.counters().protocolViolations.increment();
        LOG.debug("protocol violation by {}: {}", remote, e.getMessage());
        close(code, code.words(), true);
    }

    /** Closes the link: every stream is aborted, every protocol connection on it closed. Idempotent. */
    void close(CloseCode code, String reason, boolean sendClose) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeCause = sendClose ? "closed here: " + reason : reason;
        if (sendClose) {
            try {
                quic.close(code.code(), reason);
            } catch (RuntimeException e) {
                LOG.debug("closing connection to {}: {}", remote, e.toString());
            }
        }
        for (KwikStream s : streams.toArray(KwikStream[]::new)) {
            s.connectionGone();
        }
        streams.clear();
        for (ProtocolConnection c : connections.toArray(ProtocolConnection[]::new)) {
            c.shutdown();
            transport.forget(c);
        }
        connections.clear();
        transport.linkClosed(this);
        closedFuture.complete(null);
    }

    @Override
    public String toString() {
        return "PeerLink[" + (remote == null ? "unauthenticated" : remote.hex()) + (dialedByUs ? ", dialed" : ", accepted") + "]";
    }
}
