package dev.pando.transport.relay;

import dev.pando.NetworkId;
import dev.pando.PandoException;
import dev.pando.PrivateKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Relay transports for tests, with a protocol whose acceptor records every byte it accepted and echoes it. */
final class RelayNodes implements AutoCloseable {
    static final String RECORD = "pando/test-record/1";
    private final List<Transport> transports = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "contract-test-worker");
        t.setDaemon(true);
        return t;
    });

    /** A started node: what its RECORD acceptor received, and how often its handler ran. */
    static final class Node {
        final Transport transport;
        final ByteArrayOutputStream accepted = new ByteArrayOutputStream();
        final AtomicInteger handlerCalls = new AtomicInteger();
        /** What the transport reported to its event sink. */
        final List<dev.pando.spi.ProviderEvent> events;

        Node(Transport transport, List<dev.pando.spi.ProviderEvent> events) {
            this.transport = transport;
            this.events = events;
        }

        synchronized byte[] acceptedBytes() {
            synchronized (accepted) {
                return accepted.toByteArray();
            }
        }
    }

    Node start(String relayUrl, String... options) {
        ProviderOptions o = ProviderOptions.of(options).with("relay_url", relayUrl);
        List<dev.pando.spi.ProviderEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        Transport t = new RelayTransportProvider().create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT, o,
                dev.pando.spi.NodeServices.system().withEvents(events::add)));
        transports.add(t);
        Node n = new Node(t, events);
        t.accept(RECORD, c -> {
            n.handlerCalls.incrementAndGet();
            acceptLoop(n, c);
        });
        t.start();
        return n;
    }

    private void acceptLoop(Node n, Connection c) {
        c.acceptStream().whenComplete((s, e) -> {
            if (e == null) {
                pool.execute(() -> recordAndEcho(n, s));
                acceptLoop(n, c);
            }
        });
    }

    private static void recordAndEcho(Node n, DuplexStream s) {
        byte[] buf = new byte[16 * 1024];
        try {
            for (int r; (r = s.read(buf, 0, buf.length)) >= 0; ) {
                synchronized (n.accepted) {
                    n.accepted.write(buf, 0, r);
                }
                s.write(buf, 0, r);
                s.flush();
            }
            s.closeOutput();
        } catch (PandoException e) {
            s.abort();
        }
    }

    /** Writes {@code data}, reads as many bytes back (the echo). */
    static byte[] roundTrip(DuplexStream s, byte[] data) {
        s.write(data, 0, data.length);
        s.flush();
        byte[] back = new byte[data.length];
        int at = 0;
        while (at < back.length) {
            int r = s.read(back, at, back.length - at);
            if (r < 0) {
                break;
            }
            at += r;
        }
        return java.util.Arrays.copyOf(back, at);
    }

    @Override
    public void close() {
        for (Transport t : transports) {
            t.close();
        }
        pool.shutdownNow();
    }
}
