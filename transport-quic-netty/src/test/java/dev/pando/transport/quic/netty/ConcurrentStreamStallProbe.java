package dev.pando.transport.quic.netty;

import dev.pando.NetworkId;
import dev.pando.PrivateKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.*;

/**
 * A probe, run by hand (not by surefire): 50 concurrent 4 KiB echo streams on one connection, for
 * {@code rounds} rounds, printing every stream that got no answer with the state of both ends and
 * of both QUIC connections (README, "Known limits"). Arguments: {@code rounds}. Run it with both
 * cores busy (two {@code yes > /dev/null}) to see the stall.
 */
public class ConcurrentStreamStallProbe {
    static final List<DuplexStream> serverStreams = new java.util.concurrent.CopyOnWriteArrayList<>();
    static final List<DuplexStream> clientStreams = new java.util.concurrent.CopyOnWriteArrayList<>();
    static final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger(), done = new java.util.concurrent.atomic.AtomicInteger(), firstRead = new java.util.concurrent.atomic.AtomicInteger();
    public static void main(String[] args) throws Exception {
        int rounds = Integer.parseInt(args[0]);
        ExecutorService pool = Executors.newCachedThreadPool(r -> { Thread t = new Thread(r); t.setDaemon(true); return t; });
        for (int round = 0; round < rounds; round++) {
            serverStreams.clear(); clientStreams.clear();
            accepted.set(0); done.set(0); firstRead.set(0);
            Transport server = new QuicNettyTransportProvider().create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT, ProviderOptions.of("bind", "127.0.0.1:0", "stream_timeout", "10s")));
            server.accept("pando/echo/1", c -> loop(c, pool));
            server.start();
            Transport client = new QuicNettyTransportProvider().create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT, ProviderOptions.of("bind", "127.0.0.1:0", "stream_timeout", "10s")));
            client.start();
            Connection c = client.dial(server.localAddress(), "pando/echo/1").get(30, TimeUnit.SECONDS);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<byte[]>> fs = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                byte[] p = new byte[4096 + i];
                Arrays.fill(p, (byte) i);
                fs.add(pool.submit(() -> {
                    go.await();
                    DuplexStream s = c.openStream().get(30, TimeUnit.SECONDS);
                    clientStreams.add(s);
                    s.write(p);
                    s.flush();
                    s.closeOutput();
                    return s.inputStream().readAllBytes();
                }));
            }
            go.countDown();
            int bad = 0;
            for (int i = 0; i < 50; i++) {
                try {
                    byte[] b = fs.get(i).get(60, TimeUnit.SECONDS);
                    if (b.length != 4096 + i) { bad++; System.out.println("round " + round + " stream " + i + " got " + b.length); }
                } catch (ExecutionException e) {
                    bad++;
                    System.out.println("round " + round + " stream " + i + ": " + e.getCause());
                    for (DuplexStream x : clientStreams) { String d = ((QuicNettyStream) x).diagnostics(); if (!d.contains("inactive")) { System.out.println("  client " + d);
                        long id = ((QuicNettyStream) x).channel().streamId();
                        QuicNettyStream qs = (QuicNettyStream) x; qs.channel().eventLoop().execute(() -> qs.channel().read());
                        try { Thread.sleep(1000); } catch (InterruptedException ie) { }
                        System.out.println("  client after read(): " + qs.diagnostics());
                        qs.channel().parent().read();
                        try { Thread.sleep(200); } catch (InterruptedException ie) { }
                        System.out.println("  client after parent read(): " + qs.diagnostics());
                        qs.channel().parent().writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(new byte[] {0}));
                        try { Thread.sleep(1000); } catch (InterruptedException ie) { }
                        System.out.println("  client after a datagram: " + qs.diagnostics());
                        try { System.out.println("  client conn stats " + qs.channel().parent().collectStats().get() + " path " + qs.channel().parent().collectPathStats(0).get()); } catch (Exception ex) { System.out.println("stats " + ex); }
                        for (DuplexStream y : serverStreams) if (((QuicNettyStream) y).channel().streamId() == id) { try { System.out.println("  server conn stats " + ((QuicNettyStream) y).channel().parent().collectStats().get() + " path " + ((QuicNettyStream) y).channel().parent().collectPathStats(0).get()); } catch (Exception ex) { System.out.println("stats " + ex); } }
                        for (DuplexStream y : serverStreams) if (((QuicNettyStream) y).channel().streamId() == id) System.out.println("  server " + ((QuicNettyStream) y).diagnostics()); } }
                }
            }
            System.out.println("round " + round + " bad " + bad + " accepted " + accepted + " firstRead " + firstRead + " done " + done + " counters server " + ((QuicNettyTransport) server).counters() + " client " + ((QuicNettyTransport) client).counters());
            client.close();
            server.close();
        }
        System.exit(0);
    }

    static void loop(Connection c, ExecutorService pool) {
        c.acceptStream().whenComplete((s, e) -> {
            if (e == null) {
                accepted.incrementAndGet();
                serverStreams.add(s);
                pool.execute(() -> {
                    byte[] buf = new byte[32 * 1024];
                    try {
                        int n;
                        boolean first = true;
                        while ((n = s.read(buf, 0, buf.length)) >= 0) { if (first) { firstRead.incrementAndGet(); first = false; } s.write(buf, 0, n); s.flush(); }
                        s.closeOutput();
                        done.incrementAndGet();
                    } catch (RuntimeException x) { System.out.println("server stream: " + x); s.abort(); }
                });
                loop(c, pool);
            }
        });
    }
}
