package dev.pando.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PandoException;
import dev.pando.PrivateKey;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.UnsupportedAddressException;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderEvent;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.spi.TransportEvent.PeerConnected;
import dev.pando.spi.TransportEvent.PeerDisconnected;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link Transport} must show, without sustained load; extend it to check a
 * transport. The subclass creates unstarted transports ({@link #createTransport}); the contract
 * registers its accept handlers, starts them, and closes them after each test. Every case must
 * pass, first time: the build does not rerun failed tests. Sustained load (long request/response,
 * bulk, back-pressure, many streams, close while busy) is measured by {@link TransportLoadContract}.
 *
 * <p>A transport that cannot pass a case lists it in {@link #knownLimitations()} with the measured
 * reason; the case is then reported as aborted (skipped) with that reason, never silently.
 * {@link #knownLimitationsAreExplained()} checks every reason cites a measurement.
 *
 * <p>Each case has an overall {@link Timeout}, so a stalling transport fails instead of hanging.
 */
public abstract class TransportContract extends TransportFixture {

    /** The cases of this contract, for {@link #knownLimitations()}. */
    public enum ContractCase {
        /** Dial, accept, echo; both ends see the right node ids and protocol. */
        DIAL_ACCEPT_ECHO,
        /** 8 streams at once on one connection, each echoed intact (many streams: the load contract). */
        CONCURRENT_STREAMS,
        /** The peer reads -1 after closeOutput and still answers the other way. */
        HALF_CLOSE,
        /** The remote transport closes: blocked read, writes and openStream fail with ConnectionClosedException. */
        PEER_VANISHES,
        /** An address claiming another node id: ProtocolViolationException. */
        WRONG_NODE_ID,
        /** A node of another network id: the dial fails with a ProtocolViolationException, no handler runs. */
        WRONG_NETWORK,
        /** A protocol the remote does not accept: ProtocolViolationException. */
        UNKNOWN_PROTOCOL,
        /**
         * Closing a transport fails its blocked read and later writes with ConnectionClosedException,
         * is idempotent, refuses later dials and leaves no thread (busy streams: the load contract).
         */
        CLOSE,
        /** Two protocols, a repeated dial and a dial back share one connection; one handler call each. */
        CONNECTION_REUSE,
        /** 10 concurrent dials to one node complete; one handler call. */
        DIAL_COALESCING,
        /**
         * Closing a Connection closes the peer's for that protocol (closed() completes, its streams
         * fail), from either side; other protocols stay open; a new dial runs the handler again.
         */
        CONNECTION_CLOSE,
        /** Reads and writes that make no progress fail with DeadlineExceededException. */
        DEADLINE,
        /**
         * PeerConnected on both sides when the first dial completes (before the dial's future and
         * the accept handler), once however many protocols; PeerDisconnected on the closing side
         * before close() returns and on the other side promptly, whichever side closes.
         */
        LINK_EVENTS,
        /** supports() is true for a peer's address and false for an address without a part this transport dials; dialing that fails with UnsupportedAddressException. */
        SUPPORTS,
        /** Dialing this node's own id fails with IllegalArgumentException {@code "cannot dial this node's own id <hex>"}, whatever the address. */
        DIAL_OWN_ID,
        /**
         * The futures of dial and openStream are each caller's own: a caller that cancels or
         * completes its future changes nothing for a concurrent caller (a coalesced dial) or for
         * later calls.
         */
        CALLER_FUTURES
    }

    /** Streams at once in {@link ContractCase#CONCURRENT_STREAMS}: concurrency, not load. */
    private static final int MODEST_STREAMS = 8;

    /**
     * Cases this transport cannot pass, each with the measured reason (e.g. "failed in 3 of 10
     * runs on loopback"). Empty by default: every case must pass.
     */
    protected Map<ContractCase, String> knownLimitations() {
        return Map.of();
    }

    /** Aborts the running case with the listed reason, if the transport lists one. */
    private void limitation(ContractCase c) {
        KnownLimitations.abortIfListed(knownLimitations(), c);
    }

    // ---- the contract ---------------------------------------------------------------------------

    @Test
    @Timeout(10)
    void knownLimitationsAreExplained() {
        KnownLimitations.assertExplained(knownLimitations());
    }

    @Test
    @Timeout(60)
    void dialAcceptAndEcho() {
        limitation(ContractCase.DIAL_ACCEPT_ECHO);
        Peer server = startPeer();
        Peer client = startPeer();

        Connection c = get(client.transport.dial(server.address(), ECHO));
        assertThat(c.remoteNodeId()).isEqualTo(server.id());
        assertThat(c.protocol()).isEqualTo(ECHO);
        assertThat(c.isOpen()).isTrue();

        DuplexStream s = get(c.openStream());
        byte[] hello = "hello, pando".getBytes(StandardCharsets.UTF_8);
        s.write(hello);
        s.flush();
        s.closeOutput();
        assertThat(readAll(s)).isEqualTo(hello);

        await().atMost(WAIT).until(() -> server.accepted.size() == 1);
        Connection accepted = server.accepted.get(0);
        assertThat(accepted.remoteNodeId()).isEqualTo(client.id());
        assertThat(accepted.protocol()).isEqualTo(ECHO);
        assertThat(server.handlerCalls(ECHO)).isEqualTo(1);
    }

    @Test
    @Timeout(60)
    void aFewConcurrentStreamsOnOneConnection() {
        limitation(ContractCase.CONCURRENT_STREAMS);
        Peer server = startPeer();
        Peer client = startPeer();
        Connection c = get(client.transport.dial(server.address(), ECHO));

        CountDownLatch go = new CountDownLatch(1);
        List<Future<byte[]>> results = new ArrayList<>();
        for (int i = 0; i < MODEST_STREAMS; i++) {
            byte[] payload = randomBytes(i, 4096 + i);
            results.add(pool.submit(() -> {
                go.await();
                DuplexStream s = get(c.openStream());
                s.write(payload);
                s.flush();
                s.closeOutput();
                return readAll(s);
            }));
        }
        go.countDown();
        for (int i = 0; i < MODEST_STREAMS; i++) {
            assertThat(get(results.get(i))).as("echo of stream %d", i).isEqualTo(randomBytes(i, 4096 + i));
        }
        assertThat(server.handlerCalls(ECHO)).isEqualTo(1);
    }

    @Test
    @Timeout(60)
    void halfCloseLetsThePeerAnswerAfterEndOfStream() {
        limitation(ContractCase.HALF_CLOSE);
        Peer server = startPeer();
        Peer client = startPeer();
        Connection c = get(client.transport.dial(server.address(), DIGEST));
        DuplexStream s = get(c.openStream());

        byte[] data = randomBytes(3, 100_000);
        s.write(data);
        s.flush();
        s.closeOutput();
        // the server saw -1 (it only answers after end of stream) and still writes to us
        byte[] answer = new byte[40];
        s.readFully(answer, 0, answer.length);
        assertThat(ByteBuffer.wrap(answer, 0, 8).getLong()).isEqualTo(data.length);
        assertThat(Arrays.copyOfRange(answer, 8, 40)).isEqualTo(sha256().digest(data));
        assertThat(s.read(new byte[1], 0, 1)).isEqualTo(-1);
        assertThat(s.read(new byte[1], 0, 1)).as("end of stream stays").isEqualTo(-1);
    }

    @Test
    @Timeout(60)
    void peerVanishingFailsReadsAndWritesWithConnectionClosed() throws Exception {
        limitation(ContractCase.PEER_VANISHES);
        Peer server = startPeer();
        Peer client = startPeer();
        Connection c = get(client.transport.dial(server.address(), SINK));
        DuplexStream s = get(c.openStream());
        s.timeout(Duration.ofSeconds(20));
        s.write(new byte[] {1, 2, 3});
        s.flush();
        assertThat(server.sinkStreams.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isNotNull();

        Future<Integer> blockedRead = pool.submit(() -> s.read(new byte[16], 0, 16));
        server.transport.close();

        assertThatThrownBy(() -> get(blockedRead)).isInstanceOf(ConnectionClosedException.class);
        get(c.closed().toCompletableFuture());
        assertThat(c.isOpen()).isFalse();
        // a write may still be buffered locally for a moment, but must fail soon and typed
        byte[] chunk = new byte[16 * 1024];
        assertThatThrownBy(() -> {
            for (int i = 0; i < 100_000; i++) {
                s.write(chunk);
                s.flush();
            }
        }).isInstanceOf(ConnectionClosedException.class);
        assertThatThrownBy(() -> get(c.openStream())).isInstanceOf(ConnectionClosedException.class);
    }

    @Test
    @Timeout(60)
    void wrongNodeIdFailsTheDial() {
        limitation(ContractCase.WRONG_NODE_ID);
        Peer server = startPeer();
        Peer client = startPeer();
        PublicKey impostor = PrivateKey.generate().publicKey();

        Throwable t = failure(client.transport.dial(withNodeId(server.address(), impostor), ECHO));
        assertThat(t).isInstanceOf(ProtocolViolationException.class);
        assertThat(server.handlerCalls(ECHO)).isZero();
        // the right id still works afterwards
        Connection ok = get(client.transport.dial(server.address(), ECHO));
        assertThat(ok.remoteNodeId()).isEqualTo(server.id());
    }

    @Test
    @Timeout(60)
    void nodesOfDifferentNetworksCannotConnect() {
        limitation(ContractCase.WRONG_NETWORK);
        Peer server = startPeer(NetworkId.named("contract-network-b"));
        Peer client = startPeer(NetworkId.named("contract-network-a"));

        Throwable t = failure(client.transport.dial(server.address(), ECHO));
        // typed, not a timeout: the dialer must learn it reached another network
        assertThat(t).isInstanceOf(ProtocolViolationException.class);
        assertThat(server.handlerCalls(ECHO)).isZero();
        assertThat(server.accepted).isEmpty();
    }

    @Test
    @Timeout(60)
    void unknownProtocolFailsTheDial() {
        limitation(ContractCase.UNKNOWN_PROTOCOL);
        Peer server = startPeer();
        Peer client = startPeer();

        Throwable t = failure(client.transport.dial(server.address(), "pando/contract-nobody/1"));
        assertThat(t).isInstanceOf(ProtocolViolationException.class);
        // a known protocol to the same node still works
        DuplexStream s = get(get(client.transport.dial(server.address(), ECHO)).openStream());
        s.write(new byte[] {42});
        s.closeOutput();
        assertThat(readAll(s)).containsExactly(42);
    }

    @Test
    @Timeout(60)
    void closingAConnectionClosesThePeersEnd() throws Exception {
        limitation(ContractCase.CONNECTION_CLOSE);
        Peer server = startPeer();
        Peer client = startPeer();
        Connection echo = get(client.transport.dial(server.address(), ECHO));
        Connection sink = get(client.transport.dial(server.address(), SINK));
        DuplexStream held = get(sink.openStream());
        held.write(new byte[] {7});
        held.flush();
        DuplexStream serverStream = server.sinkStreams.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(serverStream).as("the sink stream reached the server").isNotNull();
        assertThat(serverStream.read(new byte[1], 0, 1)).isEqualTo(1);
        Connection serverSink = server.accepted.stream().filter(c -> c.protocol().equals(SINK)).findFirst().orElseThrow();

        sink.close();
        get(serverSink.closed().toCompletableFuture());
        assertThat(serverSink.isOpen()).isFalse();
        assertThatThrownBy(() -> serverStream.read(new byte[1], 0, 1)).isInstanceOf(PandoException.class);
        assertThat(failure(serverSink.openStream())).isInstanceOf(ConnectionClosedException.class);
        // the other protocol to the same node is untouched
        assertThat(echo.isOpen()).isTrue();
        byte[] data = randomBytes(21, 1_000);
        DuplexStream e = get(echo.openStream());
        e.write(data);
        e.closeOutput();
        assertThat(readAll(e)).isEqualTo(data);

        // dialing the closed protocol again makes a new connection and runs the handler again
        Connection again = get(client.transport.dial(server.address(), SINK));
        assertThat(again).isNotSameAs(sink);
        assertThat(again.isOpen()).isTrue();
        DuplexStream s = get(again.openStream());
        s.write(new byte[] {8});
        s.flush();
        DuplexStream second = server.sinkStreams.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(second).as("a stream of the new connection reached the server").isNotNull();
        assertThat(server.handlerCalls(SINK)).isEqualTo(2);

        // the accepting side can close too: the dialer's end closes
        Connection serverAgain = server.accepted.stream().filter(c -> c.protocol().equals(SINK) && c != serverSink)
                .findFirst().orElseThrow();
        serverAgain.close();
        get(again.closed().toCompletableFuture());
        assertThat(failure(again.openStream())).isInstanceOf(ConnectionClosedException.class);
        assertThat(echo.isOpen()).isTrue();
    }

    @Test
    @Timeout(60)
    void closingATransportFailsItsStreamsTypedAndLeavesNoThread() throws Exception {
        limitation(ContractCase.CLOSE);
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        Peer server = startPeer();
        Peer client = startPeer();
        Connection c = get(client.transport.dial(server.address(), SINK));
        DuplexStream s = get(c.openStream());
        s.timeout(Duration.ofSeconds(20));
        s.write(new byte[] {1});
        s.flush();
        assertThat(server.sinkStreams.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the stream reached the server").isNotNull();
        Future<Integer> blockedRead = pool.submit(() -> s.read(new byte[16], 0, 16));

        client.transport.close();
        client.transport.close(); // idempotent

        assertThatThrownBy(() -> get(blockedRead)).isInstanceOf(ConnectionClosedException.class);
        assertThatThrownBy(() -> s.write(new byte[] {2})).isInstanceOf(ConnectionClosedException.class);
        assertThat(c.isOpen()).isFalse();
        assertThatThrownBy(() -> get(client.transport.dial(server.address(), ECHO)))
                .isInstanceOf(ConnectionClosedException.class);

        server.transport.close();
        await().atMost(WAIT).untilAsserted(() -> assertThat(Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t) && isTransportThread(t))
                .map(Thread::getName)
                .collect(Collectors.toList()))
                .as("threads left behind after close()")
                .isEmpty());
    }

    @Test
    @Timeout(60)
    void protocolsShareOneConnectionInBothDirections() throws Exception {
        limitation(ContractCase.CONNECTION_REUSE);
        Peer server = startPeer();
        Peer client = startPeer();

        Connection echo = get(client.transport.dial(server.address(), ECHO));
        Connection digest = get(client.transport.dial(server.address(), DIGEST));
        Connection again = get(client.transport.dial(server.address(), ECHO));
        // the server dials back over the same connection
        Connection back = get(server.transport.dial(client.address(), ECHO));

        byte[] data = randomBytes(11, 200_000);
        Future<byte[]> viaEcho = pool.submit(() -> {
            DuplexStream s = get(echo.openStream());
            s.write(data);
            s.closeOutput();
            return readAll(s);
        });
        Future<byte[]> viaAgain = pool.submit(() -> {
            DuplexStream s = get(again.openStream());
            s.write(data);
            s.closeOutput();
            return readAll(s);
        });
        Future<byte[]> viaBack = pool.submit(() -> {
            DuplexStream s = get(back.openStream());
            s.write(data);
            s.closeOutput();
            return readAll(s);
        });
        Future<byte[]> viaDigest = pool.submit(() -> {
            DuplexStream s = get(digest.openStream());
            s.write(data);
            s.closeOutput();
            return readAll(s);
        });
        assertThat(get(viaEcho)).isEqualTo(data);
        assertThat(get(viaAgain)).isEqualTo(data);
        assertThat(get(viaBack)).isEqualTo(data);
        assertThat(Arrays.copyOfRange(get(viaDigest), 8, 40)).isEqualTo(sha256().digest(data));

        assertThat(server.handlerCalls(ECHO)).as("accept handler once per (peer, protocol)").isEqualTo(1);
        assertThat(server.handlerCalls(DIGEST)).isEqualTo(1);
        assertThat(client.handlerCalls(ECHO)).isEqualTo(1);
        physicalConnections(client.transport, server.id()).ifPresent(n -> assertThat(n).isEqualTo(1));
        physicalConnections(server.transport, client.id()).ifPresent(n -> assertThat(n).isEqualTo(1));
    }

    @Test
    @Timeout(60)
    void concurrentDialsCoalesce() throws Exception {
        limitation(ContractCase.DIAL_COALESCING);
        Peer server = startPeer();
        Peer client = startPeer();

        CountDownLatch go = new CountDownLatch(1);
        List<Future<Connection>> dials = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            dials.add(pool.submit(() -> {
                go.await();
                return get(client.transport.dial(server.address(), ECHO));
            }));
        }
        go.countDown();
        for (Future<Connection> d : dials) {
            Connection c = get(d);
            assertThat(c.remoteNodeId()).isEqualTo(server.id());
            DuplexStream s = get(c.openStream());
            s.write(new byte[] {7});
            s.closeOutput();
            assertThat(readAll(s)).containsExactly(7);
        }
        assertThat(server.handlerCalls(ECHO)).isEqualTo(1);
        physicalConnections(client.transport, server.id()).ifPresent(n -> assertThat(n).isEqualTo(1));
    }

    @Test
    @Timeout(60)
    void aCallerThatCancelsOrCompletesItsFutureChangesNothingForOtherCallers() {
        limitation(ContractCase.CALLER_FUTURES);
        Peer server = startPeer();
        Peer client = startPeer();

        // two dials at once (coalesced by most transports): the first caller gives up on its own
        CompletableFuture<Connection> givenUp = client.transport.dial(server.address(), ECHO);
        CompletableFuture<Connection> waited = client.transport.dial(server.address(), ECHO);
        givenUp.cancel(true);
        Connection c = get(waited);
        assertThat(c.remoteNodeId()).isEqualTo(server.id());
        assertThat(echoOnce(c, 1)).isEqualTo(1);

        // a caller that completes its futures with values of its own fools only itself
        client.transport.dial(server.address(), ECHO).complete(null);
        c.openStream().complete(null);
        c.openStream().completeExceptionally(new IllegalStateException("a caller's own failure"));
        Connection again = get(client.transport.dial(server.address(), ECHO));
        assertThat(again).isNotNull();
        assertThat(echoOnce(again, 2)).isEqualTo(2);
        assertThat(echoOnce(c, 3)).isEqualTo(3);
        assertThat(server.handlerCalls(ECHO)).isEqualTo(1);
    }

    /** Opens a stream, sends one byte, half-closes, and returns the byte echoed back. */
    private static int echoOnce(Connection c, int value) {
        DuplexStream s = get(c.openStream());
        assertThat(s).as("a stream from openStream()").isNotNull();
        s.write(new byte[] {(byte) value});
        s.closeOutput();
        byte[] back = readAll(s);
        assertThat(back).hasSize(1);
        return back[0];
    }

    @Test
    @Timeout(60)
    void readsAndWritesFailAfterTheirDeadline() {
        limitation(ContractCase.DEADLINE);
        Peer server = startPeer();
        Peer client = startPeer();
        Connection c = get(client.transport.dial(server.address(), SINK));
        DuplexStream s = get(c.openStream());
        s.timeout(Duration.ofMillis(300));
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(300));

        assertThatThrownBy(() -> s.read(new byte[16], 0, 16)).isInstanceOf(DeadlineExceededException.class);

        // nobody reads the sink: some write must eventually wait for window and time out
        byte[] chunk = new byte[64 * 1024];
        assertThatThrownBy(() -> {
            for (int i = 0; i < 8 * 1024; i++) { // at most 512 MiB
                s.write(chunk);
            }
        }).isInstanceOf(DeadlineExceededException.class);
    }

    @Test
    @Timeout(60)
    void linksAreReportedUpOnceAndDownPromptlyWhenTheDialedNodeCloses() {
        limitation(ContractCase.LINK_EVENTS);
        Peer server = startPeer();
        Peer client = startPeer();

        get(client.transport.dial(server.address(), ECHO));
        // the dialer knows before its dial completes
        assertThat(client.events).containsExactly(new PeerConnected(server.id()));
        await().atMost(WAIT).until(() -> server.handlerCalls(ECHO) == 1);
        // the accepting side knows before its handler runs
        assertThat(server.events).containsExactly(new PeerConnected(client.id()));
        // more protocols and streams over the same link report nothing new
        DuplexStream s = get(get(client.transport.dial(server.address(), DIGEST)).openStream());
        s.closeOutput();
        readAll(s);
        await().atMost(WAIT).until(() -> server.handlerCalls(DIGEST) == 1);
        assertThat(client.events).hasSize(1);
        assertThat(server.events).hasSize(1);

        server.transport.close();
        assertThat(server.events).as("events of the closing side when close() returned")
                .containsExactly(new PeerConnected(client.id()), new PeerDisconnected(client.id()));
        await().atMost(LINK_DOWN_WAIT).untilAsserted(() -> assertThat(client.events)
                .as("events of the side whose peer closed")
                .containsExactly(new PeerConnected(server.id()), new PeerDisconnected(server.id())));
    }

    @Test
    @Timeout(60)
    void linksAreReportedDownPromptlyWhenTheDialerCloses() {
        limitation(ContractCase.LINK_EVENTS);
        Peer server = startPeer();
        Peer client = startPeer();
        Peer other = startPeer();

        get(client.transport.dial(server.address(), ECHO));
        get(other.transport.dial(server.address(), ECHO));
        await().atMost(WAIT).until(() -> server.handlerCalls(ECHO) == 2);
        assertThat(server.events).containsExactlyInAnyOrder(new PeerConnected(client.id()), new PeerConnected(other.id()));

        client.transport.close();
        assertThat(client.events).containsExactly(new PeerConnected(server.id()), new PeerDisconnected(server.id()));
        await().atMost(LINK_DOWN_WAIT).untilAsserted(() -> assertThat(server.events)
                .containsExactlyInAnyOrder(new PeerConnected(client.id()), new PeerConnected(other.id()),
                        new PeerDisconnected(client.id())));
        // the server's link to the other node is untouched
        DuplexStream s = get(get(other.transport.dial(server.address(), ECHO)).openStream());
        s.write(new byte[] {5});
        s.closeOutput();
        assertThat(readAll(s)).containsExactly(5);
        assertThat(server.events).hasSize(3);
        assertThat(other.events).containsExactly(new PeerConnected(server.id()));
    }

    @Test
    @Timeout(60)
    void supportsTellsWhichAddressesCanBeDialedAtAll() {
        limitation(ContractCase.SUPPORTS);
        Peer server = startPeer();
        Peer client = startPeer();
        NodeAddress unsupported = unsupportedAddress(server.address());

        assertThat(client.transport.supports(server.address())).isTrue();
        assertThat(client.transport.supports(unsupported)).isFalse();
        Throwable t = failure(client.transport.dial(unsupported, ECHO));
        assertThat(t).isInstanceOf(UnsupportedAddressException.class);
        assertThat(client.events).isEmpty();

        // typed the same way when a connection to that node is open
        get(client.transport.dial(server.address(), ECHO));
        assertThat(failure(client.transport.dial(unsupported, DIGEST))).isInstanceOf(UnsupportedAddressException.class);
        assertThat(server.handlerCalls(DIGEST)).isZero();
    }

    @Test
    @Timeout(60)
    void dialingThisNodesOwnIdFailsAsAnIllegalArgument() {
        limitation(ContractCase.DIAL_OWN_ID);
        Peer server = startPeer();
        Peer client = startPeer();
        String expected = "cannot dial this node's own id " + client.id().hex();

        for (NodeAddress self : List.of(client.address(), withNodeId(server.address(), client.id()),
                unsupportedAddress(client.address()))) {
            Throwable t = failure(client.transport.dial(self, ECHO));
            assertThat(t).as("dialing %s", self).isInstanceOf(IllegalArgumentException.class).hasMessage(expected);
        }
        assertThat(server.handlerCalls(ECHO)).isZero();
        assertThat(client.events).isEmpty();
    }
}
