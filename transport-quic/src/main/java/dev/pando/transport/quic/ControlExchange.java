package dev.pando.transport.quic;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.PandoException;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.spi.Connection;
import dev.pando.spi.ProtocolNames;
import dev.pando.transport.quic.core.QuicOptions;
import dev.pando.transport.quic.core.StreamPreamble;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tech.kwik.core.QuicStream;

/**
 * The {@link KwikTransport}'s protocol connections and the streams that carry them: one
 * {@link ProtocolConnection} per (peer, protocol), the OPEN_CONNECTION / CLOSE_CONNECTION exchange
 * in both directions (WIRE.md, section 4), the dispatch of every incoming stream (the identity
 * proof on an unauthenticated link, a control request, or a STREAM for a connection), and opening
 * streams (on the caller's thread when the peer very likely has credit, else on a worker).
 *
 * <p>Threads and locks: {@link #connections} and {@link #closing} are concurrent maps, not
 * guarded by the transport's lock; {@link #sendClose} takes that lock only to read the
 * transport's state. Incoming streams are handled on workers; control exchanges read their answer
 * on a worker; accept handlers run on a worker.
 */
final class ControlExchange {
    private static final Logger LOG = LoggerFactory.getLogger(KwikTransport.class);

    record Key(PublicKey peer, String protocol) {}

    private final QuicOptions settings;
    private final TransportCounters counters;
    private final Map<String, Consumer<Connection>> acceptors;
    private final PeerTable table;
    private final Tasks tasks;
    private final IdentityProof proof;

    private final Map<Key, ProtocolConnection> connections = new ConcurrentHashMap<>();
    /** CLOSE_CONNECTIONs sent and not yet answered: a dial for the same (peer, protocol) waits for it. */
    private final Map<Key, CompletableFuture<Void>> closing = new ConcurrentHashMap<>();

    ControlExchange(QuicOptions settings, TransportCounters counters, Map<String, Consumer<Connection>> acceptors,
            PeerTable table, Tasks tasks, IdentityProof proof) {
        this.settings = settings;
        this.counters = counters;
        this.acceptors = acceptors;
        this.table = table;
        this.tasks = tasks;
        this.proof = proof;
    }

    /** The connection for (peer, protocol), open or not; null if there is none. */
    ProtocolConnection connection(PublicKey peer, String protocol) {
        return connections.get(new Key(peer, protocol));
    }

    /** The unanswered CLOSE_CONNECTION for (peer, protocol); null if there is none. */
    CompletableFuture<Void> pendingClose(PublicKey peer, String protocol) {
        return closing.get(new Key(peer, protocol));
    }

    /** OPEN_CONNECTION on a link (WIRE.md, section 4). */
    CompletableFuture<Connection> openConnection(PeerLink link, String protocol) {
        return control(link, StreamPreamble.Kind.OPEN_CONNECTION, protocol)
                .thenApply(answer -> {
                    if (answer != StreamPreamble.ACCEPTED) {
                        throw new ProtocolViolationException("node " + link.remoteNodeId() + " does not accept protocol " + protocol);
                    }
                    ProtocolConnection c = connectionFor(link, protocol);
                    c.markOpenedByUs();
                    return (Connection) c;
                });
    }

    /** Sends an OPEN_CONNECTION or CLOSE_CONNECTION on a new stream and reads the one-byte answer (on a worker). */
    private CompletableFuture<Integer> control(PeerLink link, StreamPreamble.Kind kind, String protocol) {
        byte[] preamble = new StreamPreamble(kind, protocol).encode();
        return openStream(link, preamble, settings.streamTimeout())
                .thenApplyAsync(s -> {
                    byte[] answer = new byte[1];
                    try {
                        // the preamble is all this side sends: end it now, as the wire scheme
                        // allows. kwik 0.10.8 may leave a write's bytes unsent until the next
                        // write or close (README, "Limits of kwik"); the close sends them.
                        s.closeOutput();
                        s.readFully(answer, 0, 1);
                    } finally {
                        s.close();
                    }
                    return answer[0] & 0xFF;
                }, tasks.workers());
    }

    /** The connection for (peer, protocol), creating it on this link if there is none open. */
    private ProtocolConnection connectionFor(PeerLink link, String protocol) {
        Key key = new Key(link.remoteNodeId(), protocol);
        boolean[] created = {false};
        ProtocolConnection c = connections.compute(key, (k, old) -> {
            if (old != null && old.isOpen()) {
                return old;
            }
            created[0] = true;
            return new ProtocolConnection(link, protocol, settings.acceptQueue());
        });
        if (created[0]) {
            link.bind(c);
        } else {
            c.rebind(link);
        }
        return c;
    }

    void forget(ProtocolConnection c) {
        connections.remove(new Key(c.remoteNodeId(), c.protocol()), c);
    }

    /** CLOSE_CONNECTION (WIRE.md, section 4), best effort: a failure only counts. */
    void sendClose(PeerLink link, String protocol) {
        synchronized (table.lock) {
            if (!link.isOpen() || table.state != PeerTable.State.STARTED) {
                return;
            }
        }
        Key key = new Key(link.remoteNodeId(), protocol);
        CompletableFuture<Void> answered = new CompletableFuture<>();
        closing.put(key, answered);
        answered.whenComplete((v, e) -> closing.remove(key, answered));
        control(link, StreamPreamble.Kind.CLOSE_CONNECTION, protocol)
                .thenAccept(answer -> {
                    if (answer != StreamPreamble.CLOSED) {
                        link.protocolViolation(new ProtocolViolationException("node " + link.remoteNodeId()
                                + " answered CLOSE_CONNECTION with " + answer));
                    }
                })
                .whenComplete((v, e) -> {
                    if (e != null) {
                        counters.unansweredCloses.increment();
                    }
                    answered.complete(null);
                });
    }

    /** Creates a stream with a deadline (kwik blocks while the peer grants no stream) and sends its preamble. */
    CompletableFuture<KwikStream> openStream(PeerLink link, byte[] preamble, Duration timeout) {
        if (!link.isOpen()) {
            return CompletableFuture.failedFuture(link.closedError());
        }
        KwikStream here = tryOpenHere(link, preamble);
        if (here != null) {
            return CompletableFuture.completedFuture(here);
        }
        return tasks.call("opening a stream to " + link.remoteNodeId(), () -> {
            QuicStream q;
            try {
                q = link.quic().createStream(true);
            } catch (IOException e) {
                throw new ConnectionClosedException("cannot open a stream to " + link.remoteNodeId() + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                // kwik turns an interrupted wait for stream credit into a RuntimeException
                throw new DeadlineExceededException("no stream credit from " + link.remoteNodeId() + " within " + timeout.toMillis() + " ms");
            }
            KwikStream s = link.wrap(q, settings.streamTimeout());
            try {
                s.write(preamble);
            } catch (RuntimeException e) {
                s.abort();
                throw e;
            }
            return s;
        }, timeout, KwikStream::abort);
    }

    /**
     * Opens a stream on the caller's thread, when the peer very likely has stream credit to spare:
     * kwik's {@code createStream} then returns at once and writing the preamble to a fresh stream
     * only buffers it, so the caller is spared two thread hand-offs (to a worker and back), which
     * were most of the provider's per-stream cost (README, "Performance"). Without credit kwik
     * would wait without limit, so the deadline sweep interrupts a wait that lasts longer than one
     * tick ({@link PeerLink.Creation}); then, or on any other failure, this returns null and the
     * worker path, with the full deadline, takes over.
     */
    private KwikStream tryOpenHere(PeerLink link, byte[] preamble) {
        // a caller already interrupted would make kwik fail at once, and lose the interrupt
        if (!link.likelyHasStreamCredit() || Thread.currentThread().isInterrupted()) {
            return null;
        }
        PeerLink.Creation creation = link.creationStarted();
        QuicStream q = null;
        boolean interruptedElsewhere = false;
        try {
            q = link.quic().createStream(true);
        } catch (IOException e) {
            // not connected: the worker path reports it
        } catch (RuntimeException e) {
            // kwik's answer to an interrupted wait for credit (and it clears the interrupt)
            interruptedElsewhere = true;
        } finally {
            if (link.creationFinished(creation)) {
                // the sweep interrupted this wait: the wait is over, clear the interrupt if
                // createStream returned before it saw it
                Thread.interrupted();
                interruptedElsewhere = false;
                if (q == null) {
                    counters.creditWaits.increment();
                }
            }
        }
        if (interruptedElsewhere) {
            // someone else interrupted the caller: give the interrupt back
            Thread.currentThread().interrupt();
        }
        if (q == null) {
            return null;
        }
        KwikStream s;
        try {
            s = link.wrap(q, settings.streamTimeout());
        } catch (ConnectionClosedException e) {
            return null; // wrap aborted the stream; the worker path reports the closed link
        }
        try {
            s.write(preamble);
        } catch (RuntimeException e) {
            s.abort();
            return null;
        }
        return s;
    }

    /** Runs on a worker: an incoming stream's auth or preamble (WIRE.md, sections 3 and 4). */
    void handleIncoming(PeerLink link, QuicStream q) {
        KwikStream s;
        try {
            s = link.wrap(q, link.remoteNodeId() == null ? settings.handshakeTimeout() : settings.streamTimeout());
        } catch (ConnectionClosedException e) {
            return;
        }
        if (link.remoteNodeId() == null) {
            if (link.claimAuthStream()) {
                proof.verifyClient(link, s);
            } else {
                // no stream is accepted before the client has proven its id
                counters.refusedStreams.increment();
                s.abort();
            }
            return;
        }
        StreamPreamble p;
        try {
            p = readPreamble(s);
        } catch (ProtocolViolationException e) {
            s.abort();
            link.protocolViolation(e);
            return;
        } catch (PandoException e) {
            s.abort();
            return;
        }
        if (p.kind() == StreamPreamble.Kind.CLOSE_CONNECTION) {
            ProtocolConnection c = connections.remove(new Key(link.remoteNodeId(), p.protocol()));
            if (c != null) {
                c.shutdown();
                link.unbind(c);
            }
            try {
                s.write(new byte[] {StreamPreamble.CLOSED});
                s.close();
            } catch (PandoException e) {
                s.abort();
            }
            return;
        }
        if (p.kind() == StreamPreamble.Kind.OPEN_CONNECTION) {
            Consumer<Connection> handler = acceptors.get(p.protocol());
            try {
                if (handler == null) {
                    s.write(new byte[] {StreamPreamble.UNKNOWN_PROTOCOL});
                    s.close();
                    return;
                }
                ProtocolConnection c = connectionFor(link, p.protocol());
                s.write(new byte[] {StreamPreamble.ACCEPTED});
                s.close();
                if (c.markAcceptedFromPeer()) {
                    try {
                        handler.accept(c);
                    } catch (RuntimeException e) {
                        LOG.warn("accept handler for {} failed", p.protocol(), e);
                    }
                }
            } catch (PandoException e) {
                s.abort();
            }
        } else {
            ProtocolConnection c = connections.get(new Key(link.remoteNodeId(), p.protocol()));
            if (c == null || !c.isOpen()) {
                counters.refusedStreams.increment();
                s.abort();
                return;
            }
            s.connection(c);
            if (!c.offer(s)) {
                counters.refusedStreams.increment();
                s.abort();
            }
        }
    }

    /**
     * Reads a STREAM / OPEN_CONNECTION preamble in two reads (kind and length, then the name)
     * rather than byte by byte, and never past its end: application bytes follow it.
     *
     * @throws ProtocolViolationException for a malformed preamble
     */
    static StreamPreamble readPreamble(KwikStream s) {
        byte[] buffer = new byte[2 + ProtocolNames.MAX_LENGTH];
        s.readFully(buffer, 0, 2);
        // checks the kind and the length byte; empty because the name is still to come
        StreamPreamble.tryDecode(ByteBuffer.wrap(buffer, 0, 2));
        int length = buffer[1] & 0xFF;
        s.readFully(buffer, 2, length);
        return StreamPreamble.tryDecode(ByteBuffer.wrap(buffer, 0, 2 + length))
                .orElseThrow(() -> new IllegalStateException("a complete preamble did not decode"));
    }
}
