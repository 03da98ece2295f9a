package dev.pando.testkit.support;

import dev.pando.ConfigurationException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A userspace UDP relay on loopback that delays, drops and rate-limits datagrams: put it in front
 * of a UDP server (a QUIC transport, say) and let clients dial {@link #address()} instead, to test
 * with real round-trip times where the kernel has no {@code netem}.
 *
 * <p>The relay binds {@code 127.0.0.1:0}. Each datagram from a client is forwarded to the fixed
 * target after the one-way {@linkplain Builder#delay(Duration) delay}; replies travel back the same
 * way, so a round trip through the relay takes at least twice the delay. Every client source
 * address gets its own upstream socket, so the target sees one distinct address per client and its
 * replies reach the right client. Within one direction (towards the target, or back to the
 * clients) datagrams leave in the order they arrived.
 *
 * <p>Optional: random {@linkplain Builder#loss(double, long) loss} drawn from a seeded generator
 * (the same seed and the same arrival order drop the same datagrams), and a
 * {@linkplain Builder#rate(long) rate limit} per direction that models one bottleneck link shared by
 * all clients: a datagram waits until the link has sent the ones before it, then travels the delay.
 * Everything the relay holds for one direction (waiting for the link or in flight) is bounded by
 * {@linkplain Builder#queueLimit(long) a byte limit}; a datagram that does not fit is dropped and
 * counted, as a full router queue would. Datagrams of clients beyond
 * {@linkplain Builder#maxClients(int) the client limit} are dropped and counted the same way.
 *
 * <p>Timing: one thread receives (a selector over all sockets), one thread sends, taking each
 * datagram off a queue ordered by its due time ({@link DelayQueue}, {@link System#nanoTime()}); no
 * thread sleeps per datagram. The delay is a lower bound: a loaded machine adds its own.
 * Datagrams the kernel drops before the relay reads them (a full socket receive buffer) are not
 * seen and not counted; the relay asks for 4 MiB receive buffers to make that unlikely.
 *
 * <p>{@link #close()} is idempotent, stops both threads and closes every socket; held datagrams
 * are discarded. Usage:
 *
 * <pre>{@code
 * try (UdpDelayRelay relay = UdpDelayRelay.to(server).delay(Duration.ofMillis(10)).start()) {
 *     client.dial(relay.address());   // 20 ms round trips
 * }
 * }</pre>
 */
public final class UdpDelayRelay implements AutoCloseable {
    private static final int MAX_DATAGRAM = 65_535;
    private static final int SOCKET_BUFFER = 4 << 20;

    private final InetSocketAddress target;
    private final long delayNanos;
    private final double loss;
    private final Random random;
    private final long bytesPerSecond;
    private final long queueLimit;
    private final int maxClients;

    private final Selector selector;
    private final DatagramChannel front;
    private final InetSocketAddress address;
    private final Map<SocketAddress, DatagramChannel> upstreams = new ConcurrentHashMap<>();
    private final DelayQueue<Held> queue = new DelayQueue<>();
    private final Direction toTarget = new Direction();
    private final Direction toClients = new Direction();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong droppedByLoss = new AtomicLong();
    private final AtomicLong droppedByOverflow = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread receiver;
    private final Thread sender;

    /**
     * What the relay did so far, over both directions.
     *
     * @param forwarded datagrams sent on after their delay
     * @param droppedByLoss datagrams dropped by the random loss
     * @param droppedByOverflow datagrams dropped because the queue limit or the client limit was reached
     * @param failed datagrams whose sending failed (the destination socket was gone, or its send
     *     buffer full)
     */
    public record Counters(long forwarded, long droppedByLoss, long droppedByOverflow, long failed) {
    }

    /** Starts configuring a relay that forwards to {@code target} (any UDP address, usually 127.0.0.1). */
    public static Builder to(InetSocketAddress target) {
        return new Builder(Objects.requireNonNull(target, "target"));
    }

    /** Relay settings; {@link #start()} binds the socket and starts the two threads. */
    public static final class Builder {
        private final InetSocketAddress target;
        private Duration delay = Duration.ZERO;
        private double loss;
        private long seed = 1;
        private long bytesPerSecond;
        private long queueLimit = 16L << 20;
        private int maxClients = 64;

        private Builder(InetSocketAddress target) {
            this.target = target;
        }

        /** One-way delay added to every datagram in both directions (round trip = 2 × delay). Default 0. */
        public Builder delay(Duration delay) {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative: " + delay);
            }
            this.delay = delay;
            return this;
        }

        /** Drops each datagram with probability {@code loss}, drawn from a generator seeded with {@code seed}. Default 0. */
        public Builder loss(double loss, long seed) {
            if (!(loss >= 0 && loss < 1)) {
                throw new IllegalArgumentException("loss must be in [0, 1): " + loss);
            }
            this.loss = loss;
            this.seed = seed;
            return this;
        }

        /** Bottleneck rate per direction in bytes (UDP payload) per second; 0 (default) = unlimited. */
        public Builder rate(long bytesPerSecond) {
            if (bytesPerSecond < 0) {
                throw new IllegalArgumentException("rate must be >= 0 bytes/s (0 = unlimited): " + bytesPerSecond);
            }
            this.bytesPerSecond = bytesPerSecond;
            return this;
        }

        /** Bytes held per direction (waiting for the rate limit or in flight) before datagrams are dropped. Default 16 MiB. */
        public Builder queueLimit(long bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("queue limit must be positive: " + bytes);
            }
            this.queueLimit = bytes;
            return this;
        }

        /** Distinct client source addresses served (one upstream socket each); later ones are dropped. Default 64. */
        public Builder maxClients(int maxClients) {
            if (maxClients <= 0) {
                throw new IllegalArgumentException("maxClients must be positive: " + maxClients);
            }
            this.maxClients = maxClients;
            return this;
        }

        /**
         * Binds 127.0.0.1:0 and starts relaying.
         *
         * @throws ConfigurationException if the socket or selector cannot be opened
         */
        public UdpDelayRelay start() {
            return new UdpDelayRelay(this);
        }
    }

    private UdpDelayRelay(Builder b) {
        this.target = b.target;
        this.delayNanos = b.delay.toNanos();
        this.loss = b.loss;
        this.random = new Random(b.seed);
        this.bytesPerSecond = b.bytesPerSecond;
        this.queueLimit = b.queueLimit;
        this.maxClients = b.maxClients;
        Selector s = null;
        DatagramChannel f = null;
        try {
            s = Selector.open();
            f = openChannel();
            f.register(s, SelectionKey.OP_READ);
        } catch (IOException e) {
            closeQuietly(f);
            closeQuietly(s);
            throw new ConfigurationException("cannot open the UDP relay's socket on 127.0.0.1: " + e.getMessage(), e);
        }
        this.selector = s;
        this.front = f;
        this.address = new InetSocketAddress(InetAddress.getLoopbackAddress(), f.socket().getLocalPort());
        String name = "udp-delay-relay-" + address.getPort();
        this.receiver = new Thread(this::receiveLoop, name + "-in");
        this.sender = new Thread(this::sendLoop, name + "-out");
        receiver.setDaemon(true);
        sender.setDaemon(true);
        receiver.start();
        sender.start();
    }

    private static DatagramChannel openChannel() throws IOException {
        DatagramChannel c = DatagramChannel.open();
        try {
            c.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
            c.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
            c.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            c.configureBlocking(false);
            return c;
        } catch (IOException e) {
            c.close();
            throw e;
        }
    }

    /** The address clients send to instead of the target: 127.0.0.1 and the relay's port. */
    public InetSocketAddress address() {
        return address;
    }

    /** The address every datagram from a client is forwarded to. */
    public InetSocketAddress target() {
        return target;
    }

    /** The counters so far (a consistent snapshot is not promised while datagrams flow). */
    public Counters counters() {
        return new Counters(forwarded.get(), droppedByLoss.get(), droppedByOverflow.get(), failed.get());
    }

    /** Distinct client addresses seen so far (each has its own upstream socket). */
    public int clients() {
        return upstreams.size();
    }

    /** The source addresses of the clients seen so far (until {@link #close()}). */
    public java.util.Set<SocketAddress> clientAddresses() {
        return java.util.Set.copyOf(upstreams.keySet());
    }

    /** Stops relaying, discards held datagrams and closes every socket. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        selector.wakeup();
        sender.interrupt();
        join(receiver);
        join(sender);
        queue.clear();
        closeQuietly(selector);
        closeQuietly(front);
        upstreams.values().forEach(UdpDelayRelay::closeQuietly);
        upstreams.clear();
    }

    private static void join(Thread t) {
        if (t == Thread.currentThread()) {
            return;
        }
        boolean interrupted = false;
        while (t.isAlive()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                interrupted = true; // finish releasing first, then restore the flag
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void receiveLoop() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        try {
            while (!closed.get()) {
                selector.select();
                for (SelectionKey key : selector.selectedKeys()) {
                    drain(key, buffer);
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException | ClosedSelectorException e) {
            // the relay is closing; nothing else closes the selector
        }
    }

    /** Reads every datagram waiting on one socket. */
    private void drain(SelectionKey key, ByteBuffer buffer) {
        DatagramChannel channel = (DatagramChannel) key.channel();
        SocketAddress client = (SocketAddress) key.attachment(); // null for the front socket
        while (true) {
            SocketAddress from;
            buffer.clear();
            try {
                from = channel.receive(buffer);
            } catch (IOException e) {
                // e.g. ICMP port unreachable reported on a later receive: not a datagram, go on
                return;
            }
            if (from == null) {
                return;
            }
            buffer.flip();
            byte[] data = new byte[buffer.remaining()];
            buffer.get(data);
            if (client == null) {
                DatagramChannel upstream = upstream(from);
                if (upstream == null) {
                    droppedByOverflow.incrementAndGet();
                } else {
                    hold(toTarget, data, upstream, target);
                }
            } else if (from.equals(target)) {
                hold(toClients, data, front, client);
            }
            // anything else reaching an upstream socket is not from the target: ignore it
        }
    }

    private DatagramChannel upstream(SocketAddress client) {
        DatagramChannel existing = upstreams.get(client);
        if (existing != null || upstreams.size() >= maxClients) {
            return existing;
        }
        try {
            DatagramChannel c = openChannel();
            c.register(selector, SelectionKey.OP_READ, client);
            upstreams.put(client, c);
            return c;
        } catch (IOException e) {
            failed.incrementAndGet();
            return null;
        }
    }

    /** Decides loss and overflow, then queues the datagram for its due time. Receiver thread only. */
    private void hold(Direction direction, byte[] data, DatagramChannel via, SocketAddress destination) {
        if (loss > 0 && random.nextDouble() < loss) {
            droppedByLoss.incrementAndGet();
            return;
        }
        if (direction.held.get() + data.length > queueLimit) {
            droppedByOverflow.incrementAndGet();
            return;
        }
        long now = System.nanoTime();
        long departure = now;
        if (bytesPerSecond > 0) {
            // the link sends one datagram after the other: this one starts when the previous is out
            long start = direction.linkFree - now > 0 ? direction.linkFree : now; // nanoTime: compare by difference
            departure = start + data.length * 1_000_000_000L / bytesPerSecond;
            direction.linkFree = departure;
        }
        direction.held.addAndGet(data.length);
        queue.add(new Held(departure + delayNanos, sequence.getAndIncrement(), direction, data, via, destination));
    }

    private void sendLoop() {
        try {
            while (!closed.get()) {
                Held h = queue.take();
                h.direction.held.addAndGet(-h.data.length);
                try {
                    if (h.via.send(ByteBuffer.wrap(h.data), h.destination) > 0) {
                        forwarded.incrementAndGet();
                    } else {
                        failed.incrementAndGet(); // the socket's send buffer is full
                    }
                } catch (IOException e) {
                    failed.incrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            // close() stops the sender
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // releasing during close: nothing more to do
        }
    }

    /** Bytes held for one direction and when its (rate-limited) link is free again. */
    private static final class Direction {
        final AtomicLong held = new AtomicLong();
        long linkFree = System.nanoTime(); // receiver thread only
    }

    /** A datagram waiting for its due time; ties keep arrival order. */
    private static final class Held implements Delayed {
        final long due;
        final long seq;
        final Direction direction;
        final byte[] data;
        final DatagramChannel via;
        final SocketAddress destination;

        Held(long due, long seq, Direction direction, byte[] data, DatagramChannel via, SocketAddress destination) {
            this.due = due;
            this.seq = seq;
            this.direction = direction;
            this.data = data;
            this.via = via;
            this.destination = destination;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            Held o = (Held) other;
            int byDue = Long.compare(due - o.due, 0); // nanoTime values: compare by difference
            return byDue != 0 ? byDue : Long.compare(seq, o.seq);
        }
    }
}
