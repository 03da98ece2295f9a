package dev.pando.transport.quic;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.NodeAddress;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.UnsupportedAddressException;
import dev.pando.spi.Connection;
import dev.pando.spi.ProtocolNames;
import dev.pando.transport.quic.core.CloseCode;
import dev.pando.transport.quic.core.DirectAddresses;
import dev.pando.transport.quic.core.NodeCertificate;
import dev.pando.transport.quic.core.QuicOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import tech.kwik.core.QuicClientConnection;

/**
 * The {@link KwikTransport}'s dialer: {@code dial} (reusing an open connection, waiting for an
 * unanswered CLOSE_CONNECTION, then OPEN_CONNECTION on a link), finding or making the link to a
 * node (concurrent dials to one node share one handshake through {@link PeerTable#dials}), and
 * the kwik client handshake on each of the node's addresses in turn, with certificate check and
 * the client side of the identity proof.
 *
 * <p>Threads and locks: {@code dial} runs on the caller's thread and takes the transport's lock
 * ({@link PeerTable#lock}) to read the link table and the dials under way; the handshake runs on
 * a worker with the handshake timeout as deadline.
 */
final class Dialer {
    private final KwikTransport transport;
    private final PublicKey self;
    private final String alpn;
    private final QuicOptions settings;
    private final PeerTable table;
    private final Tasks tasks;
    private final ControlExchange exchange;
    private final IdentityProof proof;

    Dialer(KwikTransport transport, PublicKey self, String alpn, QuicOptions settings, PeerTable table, Tasks tasks,
            ControlExchange exchange, IdentityProof proof) {
        this.transport = transport;
        this.self = self;
        this.alpn = alpn;
        this.settings = settings;
        this.table = table;
        this.tasks = tasks;
        this.exchange = exchange;
        this.proof = proof;
    }

    CompletableFuture<Connection> dial(NodeAddress remote, String protocol) {
        if (!ProtocolNames.isValid(protocol)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("invalid protocol name: " + protocol));
        }
        if (remote.nodeId().equals(self)) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("cannot dial this node's own id " + self.hex()));
        }
        if (!supports(remote)) {
            return CompletableFuture.failedFuture(new UnsupportedAddressException(unsupportedReason(remote)));
        }
        ProtocolConnection existing = exchange.connection(remote.nodeId(), protocol);
        // one Connection per (peer, protocol) on each side; but the remote's accept handler must
        // hear of our dial once, so a Connection that only the remote opened still sends OPEN_CONNECTION
        if (existing != null && existing.isOpen() && existing.openedByUs()) {
            return CompletableFuture.completedFuture(existing);
        }
        // an OPEN_CONNECTION must not overtake this node's CLOSE_CONNECTION for the same protocol
        CompletableFuture<Void> pendingClose = exchange.pendingClose(remote.nodeId(), protocol);
        CompletableFuture<?> ready = pendingClose == null ? CompletableFuture.completedFuture(null) : pendingClose.handle((v, e) -> null);
        return ready.thenCompose(v -> linkTo(remote)).thenCompose(link -> exchange.openConnection(link, protocol));
    }

    /**
     * True if some direct address of {@code remote} is of a family (and scope) the socket bound to
     * the {@code bind} option can send to; relay URLs are not this transport's.
     */
    boolean supports(NodeAddress remote) {
        InetSocketAddress local = settings.bind();
        return remote.directAddresses().stream().anyMatch(a -> DirectAddresses.unreachableFrom(local, a) == null);
    }

    private String unsupportedReason(NodeAddress remote) {
        if (remote.directAddresses().isEmpty()) {
            return "the quic transport dials direct addresses only, and node " + remote.nodeId().hex() + " has none"
                    + (remote.relayUrl().isPresent() ? " (only a relay URL)" : "");
        }
        InetSocketAddress local = settings.bind();
        return "no direct address of node " + remote.nodeId().hex() + " can be dialed from " + text(local) + ": "
                + DirectAddresses.unreachableFrom(local, remote.directAddresses().get(0))
                + (remote.directAddresses().size() > 1 ? " (and likewise the other " + (remote.directAddresses().size() - 1) + ")" : "");
    }

    private CompletableFuture<PeerLink> linkTo(NodeAddress remote) {
        PublicKey peer = remote.nodeId();
        synchronized (table.lock) {
            if (table.state != PeerTable.State.STARTED) {
                return CompletableFuture.failedFuture(new ConnectionClosedException("transport is " + table.state.name().toLowerCase()));
            }
            PeerLink best = table.preferredLink(peer);
            if (best != null) {
                return CompletableFuture.completedFuture(best);
            }
            CompletableFuture<PeerLink> pending = table.dials.get(peer);
            // a finished dial may still be in the map (its removal runs after the callers'
            // callbacks): its link, if still open, was found above; else it is history
            if (pending == null || pending.isDone()) {
                pending = tasks.call("dial " + peer, () -> connect(remote), settings.handshakeTimeout(),
                        link -> link.close(CloseCode.NORMAL, "dial abandoned", true));
                table.dials.put(peer, pending);
                CompletableFuture<PeerLink> mine = pending;
                pending.whenComplete((l, e) -> {
                    synchronized (table.lock) {
                        table.dials.remove(peer, mine);
                    }
                });
            }
            // a copy, so that one caller cancelling does not cancel the others' dial
            return pending.thenApply(l -> l);
        }
    }

    /** Runs on a worker: handshake, certificate check, client identity proof. */
    private PeerLink connect(NodeAddress remote) throws Exception {
        if (remote.directAddresses().isEmpty()) {
            throw new ConnectionClosedException("no direct address for " + remote.nodeId());
        }
        Exception last = null;
        InetSocketAddress local = KwikTransport.resolve(settings.bind());
        // kwik blocks for a whole handshake per address, so the addresses are tried one after
        // the other (quic-netty races them, RFC 8305); an unreachable family fails at once
        for (InetSocketAddress address : DirectAddresses.dialOrder(remote.directAddresses())) {
            String unreachable = DirectAddresses.unreachableFrom(local, address);
            if (unreachable != null) {
                last = new ConnectionClosedException("cannot dial " + address + ": " + unreachable);
                continue;
            }
            try {
                return connect(remote.nodeId(), address);
            } catch (ProtocolViolationException e) {
                throw e; // we reached someone who is not who we want: other addresses will not help
            } catch (Exception e) {
                last = e;
            }
        }
        throw last;
    }

    /** An address as written in node addresses (127.0.0.1:4433, [::1]:4433), not as toString's /127.0.0.1:4433. */
    static String text(InetSocketAddress address) {
        if (address.getAddress() == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        String ip = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof java.net.Inet6Address ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }

    private PeerLink connect(PublicKey expected, InetSocketAddress address) throws Exception {
        InetAddress localHost = KwikTransport.resolve(settings.bind()).getAddress();
        QuicClientConnection quic = QuicClientConnection.newBuilder()
                .uri(new URI("https", null, address.getHostString(), address.getPort(), null, null, null))
                .applicationProtocol(alpn)
                // kwik's own check would want a CA-signed certificate; ours is verified below,
                // before a single application byte is sent
                .noServerCertificateCheck()
                .connectTimeout(settings.handshakeTimeout())
                .maxIdleTimeout(settings.idleTimeout())
                .defaultStreamReceiveBufferSize(settings.streamWindow())
                .maxOpenPeerInitiatedBidirectionalStreams(settings.maxStreamsPerConnection())
                .maxOpenPeerInitiatedUnidirectionalStreams(0)
                // our own socket, on the bound interface; kwik closes it with the connection
                .socketFactory(destination -> new DatagramSocket(new InetSocketAddress(localHost, 0)))
                .logger(new KwikLogger())
                .build();
        PeerLink link = new PeerLink(transport, quic, true);
        quic.setPeerInitiatedStreamCallback(link::incoming);
        quic.setConnectionListener(Acceptor.listener(link));
        table.allLinks.add(link);
        try {
            try {
                quic.connect();
            } catch (ConnectException e) {
                String m = String.valueOf(e.getMessage());
                if (m.contains("timed out")) {
                    throw new DeadlineExceededException("handshake with " + text(address) + " did not complete within "
                            + settings.handshakeTimeout().toMillis() + " ms");
                }
                throw new ProtocolViolationException("handshake with " + text(address)
                        + " failed (different network id or not a Pando node): " + m);
            } catch (IOException e) {
                throw new ConnectionClosedException("cannot reach " + text(address) + ": " + e.getMessage(), e);
            }
            List<X509Certificate> chain = quic.getServerCertificateChain();
            PublicKey reached;
            try {
                reached = NodeCertificate.verify(chain, expected);
            } catch (ProtocolViolationException e) {
                link.close(CloseCode.IDENTITY_MISMATCH, CloseCode.IDENTITY_MISMATCH.words(), true);
                throw e;
            }
            link.authenticated(reached);
            proof.proveIdentity(link, quic, chain.get(0).getEncoded(), reached);
            if (settings.keepAlive().compareTo(Duration.ZERO) > 0) {
                // kwik pings at half the negotiated idle timeout for as long as asked
                quic.keepAlive(Integer.MAX_VALUE);
            }
            table.register(link);
            return link;
        } catch (Exception | Error e) {
            link.close(e instanceof ProtocolViolationException ? CloseCode.PROTOCOL_VIOLATION : CloseCode.NORMAL,
                    "dial failed", true);
            throw e;
        }
    }
}
