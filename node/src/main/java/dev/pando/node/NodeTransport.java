package dev.pando.node;

import dev.pando.ConnectionClosedException;
import dev.pando.NodeAddress;
import dev.pando.UnsupportedAddressException;
import dev.pando.spi.Cancellable;
import dev.pando.spi.Connection;
import dev.pando.spi.Scheduler;
import dev.pando.spi.Transport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * The node's transports seen as one (what gossip and the node's own protocols use). Dialing tries
 * the transports that support the address in the order they were configured, Happy Eyeballs style
 * (RFC 8305): the next one starts if the previous has not connected within {@link #STAGGER}, or at
 * once when it fails; the first connection wins and later ones are closed. Starting and closing the
 * underlying transports is the node's business: {@link #start()} and {@link #close()} do nothing.
 */
final class NodeTransport implements Transport {
    /** How long one transport's dial has before the next transport is tried too. */
    static final Duration STAGGER = Duration.ofMillis(300);

    record Named(String name, Transport transport) {
    }

    private final List<Named> transports;
    private final Scheduler scheduler;

    NodeTransport(List<Named> transports, Scheduler scheduler) {
        if (transports.isEmpty()) {
            throw new IllegalArgumentException("a node needs a transport");
        }
        this.transports = List.copyOf(transports);
        this.scheduler = scheduler;
    }

    List<Named> transports() {
        return transports;
    }

    @Override
    public void accept(String protocol, Consumer<Connection> handler) {
        for (Named t : transports) {
            t.transport().accept(protocol, handler);
        }
    }

    @Override
    public void start() {
        // the node starts each transport
    }

    /** Every transport's direct addresses, and the first relay URL any of them has. */
    @Override
    public NodeAddress localAddress() {
        Set<InetSocketAddress> direct = new LinkedHashSet<>();
        Optional<URI> relay = Optional.empty();
        NodeAddress first = null;
        for (Named t : transports) {
            NodeAddress a = t.transport().localAddress();
            if (first == null) {
                first = a;
            }
            direct.addAll(a.directAddresses());
            if (relay.isEmpty()) {
                relay = a.relayUrl();
            }
        }
        return new NodeAddress(first.nodeId(), List.copyOf(direct), relay);
    }

    @Override
    public boolean supports(NodeAddress remote) {
        for (Named t : transports) {
            if (t.transport().supports(remote)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public CompletableFuture<Connection> dial(NodeAddress remote, String protocol) {
        List<Transport> candidates = new ArrayList<>();
        for (Named t : transports) {
            if (t.transport().supports(remote)) {
                candidates.add(t.transport());
            }
        }
        if (candidates.isEmpty()) {
            return CompletableFuture.failedFuture(new UnsupportedAddressException("no transport of this node ("
                    + names() + ") can reach " + remote.toText()));
        }
        if (candidates.size() == 1) {
            return candidates.get(0).dial(remote, protocol);
        }
        return new Race(candidates, remote, protocol).start();
    }

    private List<String> names() {
        return transports.stream().map(Named::name).toList();
    }

    @Override
    public void close() {
        // the node closes each transport
    }

    /** One staggered dial over several transports. */
    private final class Race {
        private final List<Transport> candidates;
        private final NodeAddress remote;
        private final String protocol;
        private final CompletableFuture<Connection> result = new CompletableFuture<>();
        private final List<Throwable> failures = new ArrayList<>();
        private int started;
        private int finished;
        private Cancellable timer;

        Race(List<Transport> candidates, NodeAddress remote, String protocol) {
            this.candidates = candidates;
            this.remote = remote;
            this.protocol = protocol;
        }

        CompletableFuture<Connection> start() {
            next();
            return result;
        }

        private void next() {
            Transport t;
            synchronized (this) {
                if (result.isDone() || started >= candidates.size()) {
                    return;
                }
                t = candidates.get(started++);
                if (timer != null) {
                    timer.cancel();
                }
                if (started < candidates.size()) {
                    timer = scheduler.schedule(this::next, STAGGER);
                }
            }
            t.dial(remote, protocol).whenComplete(this::finished);
        }

        private void finished(Connection connection, Throwable error) {
            boolean startNext = false;
            boolean failAll = false;
            synchronized (this) {
                finished++;
                if (connection != null) {
                    if (!result.complete(connection)) {
                        connection.close();
                    }
                    if (timer != null) {
                        timer.cancel();
                    }
                    return;
                }
                failures.add(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error);
                if (started < candidates.size()) {
                    startNext = true;
                } else if (finished == candidates.size()) {
                    failAll = true;
                }
            }
            if (startNext) {
                next();
            } else if (failAll) {
                Throwable last = failures.get(failures.size() - 1);
                Throwable reported = last instanceof RuntimeException ? last
                        : new ConnectionClosedException("could not reach " + remote.toText() + ": " + last);
                for (Throwable f : failures) {
                    if (f != last) {
                        reported.addSuppressed(f);
                    }
                }
                result.completeExceptionally(reported);
            }
        }
    }
}
