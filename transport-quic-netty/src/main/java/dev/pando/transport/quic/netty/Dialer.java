package dev.pando.transport.quic.netty;

import dev.pando.ConnectionClosedException;
import dev.pando.DeadlineExceededException;
import dev.pando.NodeAddress;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.UnsupportedAddressException;
import dev.pando.spi.Connection;
import dev.pando.spi.ProtocolNames;
import dev.pando.spi.TransportContext;
import dev.pando.transport.quic.core.Alpn;
import dev.pando.transport.quic.core.CloseCode;
import dev.pando.transport.quic.core.DirectAddresses;
import dev.pando.transport.quic.core.NodeCertificate;
import dev.pando.transport.quic.core.QuicOptions;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicConnectionCloseEvent;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The {@link QuicNettyTransport}'s dialer: {@code dial} (reusing an open connection or link,
 * coalescing concurrent dials to one node into one handshake through {@link PeerTable.Peer#dialing},
 * waiting for an unanswered CLOSE_CONNECTION), Happy Eyeballs over the remote's addresses, one
 * QUIC handshake with certificate check and identity proof per attempt, and the words for a
 * failed handshake.
 *
 * <p>Threads and locks: {@code dial} runs on the caller's thread and takes the transport's lock
 * ({@link PeerTable#lock}) to read and update the peer table; attempts run on the client
 * channel's event loop, and the path may report an address unreachable from its own thread
 * ({@link #unreachable}). The attempts map is concurrent, each list guarded by itself.
 */
final class Dialer {
    /** How long an attempt on one address runs alone before the next address is tried too (RFC 8305). */
    static final long ATTEMPT_DELAY_MS = 250;

    private final QuicNettyTransport transport;
    private final TransportContext context;
    private final QuicOptions options;
    private final DatagramPath path;
    private final PublicKey self;
    private final PeerTable table;
    private final ControlExchange exchange;
    private final Endpoint endpoint;
    /** Dial attempts under way, by target address: the path may report a target unreachable. */
    private final Map<InetSocketAddress, List<Consumer<String>>> attempts = new ConcurrentHashMap<>();

    Dialer(QuicNettyTransport transport, TransportContext context, QuicOptions options, DatagramPath path, PublicKey self,
            PeerTable table, ControlExchange exchange, Endpoint endpoint) {
        this.transport = transport;
        this.context = context;
        this.options = options;
        this.path = path;
        this.self = self;
        this.table = table;
        this.exchange = exchange;
        this.endpoint = endpoint;
    }

    /** The path reports {@code target} unreachable: fail the attempts on it. */
    void unreachable(InetSocketAddress target, String why) {
        List<Consumer<String>> failers = attempts.get(target);
        if (failers != null) {
            List<Consumer<String>> copy;
            synchronized (failers) {
                copy = new ArrayList<>(failers);
            }
            copy.forEach(f -> f.accept(why));
        }
    }

    CompletableFuture<Connection> dial(NodeAddress remote, String protocol) {
        CompletableFuture<Connection> result = new HandOverFuture<>();
        if (!ProtocolNames.isValid(protocol)) {
            result.completeExceptionally(new IllegalArgumentException(
                    "invalid protocol name \"" + protocol + "\" (see ProtocolNames)"));
            return result;
        }
        PublicKey target = remote.nodeId();
        if (target.equals(self)) {
            result.completeExceptionally(new IllegalArgumentException("cannot dial this node's own id " + self.hex()));
            return result;
        }
        if (!path.supports(remote)) {
            result.completeExceptionally(new UnsupportedAddressException(path.unsupportedReason(remote)));
            return result;
        }
        CompletableFuture<QuicLink> link;
        CompletableFuture<Void> closing;
        synchronized (table.lock) {
            if (table.state != PeerTable.State.STARTED) {
                result.completeExceptionally(new ConnectionClosedException("transport is "
                        + (table.state == PeerTable.State.NEW ? "not started" : "closed")));
                return result;
            }
            PeerTable.Peer peer = table.peers.computeIfAbsent(target, PeerTable.Peer::new);
            QuicNettyConnection existing = peer.connections.get(protocol);
            if (existing != null && existing.dialed && existing.isOpen() && table.preferredLink(peer) != null) {
                result.complete(existing);
                return result;
            }
            closing = peer.closing.get(protocol);
            QuicLink ready = table.preferredLink(peer);
            if (ready != null) {
                link = CompletableFuture.completedFuture(ready);
            } else if (peer.dialing != null && !peer.dialing.isDone()) {
                link = peer.dialing; // coalesce concurrent dials into one handshake
            } else if (path.dialTargets(remote).isEmpty()) {
                result.completeExceptionally(new ConnectionClosedException("node " + target.hex() + " has no address this transport dials"));
                return result;
            } else if (table.allLinks.size() >= options.maxConnections()) {
                result.completeExceptionally(new ConnectionClosedException(
                        "connection limit reached (" + options.maxConnections() + ")"));
                return result;
            } else {
                CompletableFuture<QuicLink> dialing = new CompletableFuture<>();
                peer.dialing = dialing;
                link = dialing;
                connect(remote, dialing);
                dialing.whenComplete((l, e) -> {
                    synchronized (table.lock) {
                        PeerTable.Peer p = table.peers.get(target);
                        if (p != null && p.dialing == dialing) {
                            p.dialing = null;
                            if (p.isEmpty()) {
                                table.peers.remove(target);
                            }
                        }
                    }
                });
            }
        }
        // an OPEN_CONNECTION must not overtake this node's CLOSE_CONNECTION for the same protocol
        CompletableFuture<QuicLink> ready = closing == null ? link
                : closing.handle((v, e) -> null).thenCompose(v -> link);
        ready.thenCompose(l -> exchange.openConnection(l, protocol)).whenComplete((c, e) -> {
            if (e != null) {
                transport.fail(result, QuicNettyTransport.unwrap(e));
            } else {
                transport.complete(result, c);
            }
        });
        return result;
    }

    /**
     * Happy Eyeballs (RFC 8305): the remote's direct addresses in {@link DirectAddresses#dialOrder}
     * order; the next attempt starts when the previous one fails or after {@value
     * #ATTEMPT_DELAY_MS} ms, whichever comes first; the first link wins and later ones are closed.
     * A node that proved to be someone else, or of another network, is an answer, not a miss: it
     * ends the dial. If every attempt fails, the last failure is reported.
     */
    private void connect(NodeAddress remote, CompletableFuture<QuicLink> done) {
        List<InetSocketAddress> order = path.dialTargets(remote);
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        Runnable[] startNext = new Runnable[1];
        startNext[0] = () -> {
            int i = next.getAndIncrement();
            if (i >= order.size() || done.isDone()) {
                return;
            }
            CompletableFuture<QuicLink> attempt = new CompletableFuture<>();
            io.netty.util.concurrent.ScheduledFuture<?> stagger = i + 1 < order.size()
                    ? endpoint.clientChannel().eventLoop().schedule(startNext[0], ATTEMPT_DELAY_MS, TimeUnit.MILLISECONDS) : null;
            connectOnce(remote.nodeId(), order.get(i), attempt);
            attempt.whenComplete((l, e) -> {
                if (e == null) {
                    if (!done.complete(l)) {
                        PeerTable.closeLink(l, CloseCode.NORMAL, "another address of the node answered first");
                    }
                    return;
                }
                RuntimeException failure = QuicNettyTransport.unwrap(e);
                if (failure instanceof ProtocolViolationException || table.isClosed() || failed.incrementAndGet() == order.size()) {
                    done.completeExceptionally(failure);
                } else if (stagger != null && stagger.cancel(false)) {
                    startNext[0].run();
                }
            });
        };
        startNext[0].run();
    }

    private void connectOnce(PublicKey expected, InetSocketAddress address, CompletableFuture<QuicLink> done) {
        QuicLink link = new QuicLink(false);
        synchronized (table.lock) {
            if (table.state != PeerTable.State.STARTED) {
                done.completeExceptionally(new ConnectionClosedException("transport closed"));
                return;
            }
            table.allLinks.add(link);
        }
        Channel udp = endpoint.clientChannel();
        java.util.Optional<String> unreachable = path.cannotReach(address);
        if (unreachable.isPresent()) {
            table.forgetUnregistered(link);
            done.completeExceptionally(new ConnectionClosedException("cannot dial " + address + ": " + unreachable.get()));
            return;
        }
        io.netty.util.concurrent.ScheduledFuture<?> timer = udp.eventLoop().schedule(() -> {
            if (done.completeExceptionally(new DeadlineExceededException("no connection to node " + expected.hex() + " at "
                    + text(address) + " within " + options.handshakeTimeout().toMillis() + " ms"))) {
                PeerTable.closeLink(link, CloseCode.AUTH_TIMEOUT, "handshake timeout");
                table.forgetUnregistered(link);
            }
        }, options.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        done.whenComplete((l, e) -> timer.cancel(false));
        Consumer<String> failer = why -> {
            if (done.completeExceptionally(new ConnectionClosedException("cannot connect to node " + expected.hex() + ": " + why))) {
                PeerTable.closeLink(link, CloseCode.NORMAL, "unreachable");
                table.forgetUnregistered(link);
            }
        };
        List<Consumer<String>> failers = attempts.computeIfAbsent(address, a -> new ArrayList<>());
        synchronized (failers) {
            failers.add(failer);
        }
        done.whenComplete((l, e) -> {
            synchronized (failers) {
                failers.remove(failer);
            }
            attempts.remove(address, List.of());
        });

        io.netty.handler.codec.quic.QuicChannelBootstrap bootstrap = QuicChannel.newBootstrap(udp);
        path.dialLocalAddress().ifPresent(bootstrap::localAddress);
        java.util.Optional<byte[]> dialId = path.reserveDialId();
        dialId.ifPresent(id -> bootstrap.localConnectionAddress(new io.netty.handler.codec.quic.QuicConnectionAddress(id)));
        Future<QuicChannel> connecting = bootstrap
                .attr(QuicLink.KEY, link)
                .handler(new LinkHandler(transport, link))
                .streamOption(ChannelOption.AUTO_READ, false)
                .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .streamHandler(endpoint.inboundStreams())
                .remoteAddress(address)
                .connect();
        connecting.addListener(f -> {
            if (!f.isSuccess()) {
                dialId.ifPresent(path::releaseDialId);
                table.forgetUnregistered(link);
                done.completeExceptionally(handshakeFailure(link, expected, address, f.cause()));
                return;
            }
            QuicChannel ch = (QuicChannel) f.getNow();
            link.channel = ch;
            dialId.ifPresent(id -> ch.closeFuture().addListener(c -> path.releaseDialId(id)));
            if (done.isDone()) {
                ch.close();
                return;
            }
            if (Alpn.OTHER_NETWORK.equals(ch.sslEngine().getApplicationProtocol())) {
                transport.count("other_network");
                PeerTable.closeLink(link, CloseCode.OTHER_NETWORK, "other network");
                done.completeExceptionally(new ProtocolViolationException("node at " + text(address)
                        + " belongs to another network than " + context.networkId().hex()));
                return;
            }
            byte[] serverCert;
            try {
                Certificate[] chain = ch.sslEngine().getSession().getPeerCertificates();
                NodeCertificate.verify(List.of(chain), expected);
                serverCert = chain[0].getEncoded();
            } catch (ProtocolViolationException e) {
                PeerTable.closeLink(link, CloseCode.IDENTITY_MISMATCH, "identity mismatch");
                done.completeExceptionally(e);
                return;
            } catch (SSLPeerUnverifiedException | java.security.cert.CertificateEncodingException e) {
                PeerTable.closeLink(link, CloseCode.PROTOCOL_VIOLATION, "no certificate");
                done.completeExceptionally(new ProtocolViolationException("node at " + text(address) + " presented no usable certificate", e));
                return;
            }
            CompletableFuture<Void> auth = new CompletableFuture<>();
            AuthClientHandler authHandler = new AuthClientHandler(context.identity(), serverCert, expected, auth);
            ch.createStream(QuicStreamType.BIDIRECTIONAL, authHandler)
                    .addListener(s -> {
                        if (!s.isSuccess()) {
                            auth.completeExceptionally(new ConnectionClosedException("cannot open the auth stream", s.cause()));
                        }
                    });
            auth.whenComplete((v, e) -> {
                if (e != null) {
                    PeerTable.closeLink(link, authHandler.failureCode(), "auth failed");
                    Throwable failure = QuicNettyTransport.unwrap(e);
                    QuicConnectionCloseEvent close = link.closeEvent;
                    if (failure instanceof ConnectionClosedException && close != null) {
                        // the server closes the connection when it refuses us (limit, shutting down): say why
                        failure = new ConnectionClosedException(failure.getMessage() + " (" + describe(close) + ")", failure);
                    }
                    done.completeExceptionally(failure);
                    return;
                }
                String refused = table.registerLink(link, expected);
                if (refused != null) {
                    PeerTable.closeLink(link, CloseCode.LIMIT, refused);
                    done.completeExceptionally(new ConnectionClosedException(refused));
                } else if (!done.complete(link)) {
                    PeerTable.closeLink(link, CloseCode.NORMAL, "dial abandoned");
                }
            });
        });
    }

    /** An address as written in node addresses (127.0.0.1:4433, [::1]:4433), not as toString's /127.0.0.1:4433. */
    static String text(InetSocketAddress address) {
        if (address.getAddress() == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        String ip = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof java.net.Inet6Address ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }

    private static RuntimeException handshakeFailure(QuicLink link, PublicKey expected, InetSocketAddress address, Throwable cause) {
        QuicConnectionCloseEvent close = link.closeEvent;
        boolean tls = (close != null && close.isTlsError()) || hasCause(cause, SSLException.class)
                || hasCause(cause, java.security.cert.CertificateException.class);
        if (tls) {
            return new ProtocolViolationException("TLS handshake with node " + expected.hex() + " at " + text(address)
                    + " failed: different network id or not a Pando node (" + describe(close, cause) + ")", cause);
        }
        if (close != null && close.isApplicationClose() && close.error() == CloseCode.LIMIT.code()) {
            return new ConnectionClosedException("node " + expected.hex() + " refused the connection: too many connections");
        }
        return new ConnectionClosedException("cannot connect to node " + expected.hex() + " at " + text(address) + ": " + describe(close, cause), cause);
    }

    private static String describe(QuicConnectionCloseEvent close, Throwable cause) {
        if (close != null) {
            return describe(close);
        }
        return cause == null ? "unknown error" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    /** A CONNECTION_CLOSE in words, the application's close codes by name (as the kwik provider renders them). */
    static String describe(QuicConnectionCloseEvent close) {
        StringBuilder b = new StringBuilder("closed by the peer, ");
        if (close.isApplicationClose()) {
            b.append(CloseCode.describe(close.error()));
        } else if (close.isTlsError()) {
            b.append("TLS alert ").append(QuicConnectionCloseEvent.extractTlsError(close.error()));
        } else {
            b.append("transport error ").append(close.error());
        }
        byte[] reason = close.reason();
        if (reason != null && reason.length > 0) {
            b.append(": ").append(new String(reason, StandardCharsets.UTF_8));
        }
        return b.toString();
    }

    static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
