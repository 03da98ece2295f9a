package dev.pando.transport.quic.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.DeadlineExceededException;
import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PandoException;
import dev.pando.PrivateKey;
import dev.pando.spi.Connection;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.testkit.support.UdpDelayRelay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The answer's end of stream arrives even when the server closes its output last, after reading
 * the client's, on a path that loses packets: quiche drops a FIN that travels alone once the data
 * before it is acknowledged (QuicNettyStream#FIN_COALESCE_MILLIS), so the provider sends the FIN
 * with the answer's last byte. Without that, some of these streams never see their end.
 */
class QuicNettyEndOfStreamTest {
    private static final String ECHO = "pando/echo/1";
    private static final int STREAMS = 60;
    private final List<Transport> transports = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "eos-test");
        t.setDaemon(true);
        return t;
    });
    private UdpDelayRelay relay;

    @AfterEach
    void close() {
        transports.forEach(Transport::close);
        if (relay != null) {
            relay.close();
        }
        pool.shutdownNow();
    }

    private Transport node() {
        Transport t = new QuicNettyTransportProvider().create(new TransportContext(PrivateKey.generate(), NetworkId.DEFAULT,
                ProviderOptions.of("bind", "127.0.0.1:0", "stream_timeout", "30s")));
        transports.add(t);
        return t;
    }

    /** Reads to the end, writes each piece back, and closes its output after the client's end. */
    private void echo(DuplexStream s) {
        byte[] buffer = new byte[8192];
        try (s) {
            int n;
            while ((n = s.read(buffer, 0, buffer.length)) >= 0) {
                s.write(buffer, 0, n);
                s.flush();
            }
            s.closeOutput();
        } catch (PandoException e) {
            s.abort();
        }
    }

    private void serve(Connection c) {
        c.acceptStream().whenComplete((s, error) -> {
            if (error == null) {
                pool.execute(() -> echo(s));
                serve(c);
            }
        });
    }

    @Test
    @Timeout(300)
    void everyAnswerEndsOnALossyPath() throws Exception {
        Transport server = node();
        server.accept(ECHO, this::serve);
        server.start();
        relay = UdpDelayRelay.to(server.localAddress().directAddresses().get(0)).loss(0.05, 7).start();
        Transport client = node();
        client.start();
        Connection c = client.dial(NodeAddress.direct(server.localAddress().nodeId(), relay.address()), ECHO)
                .get(60, TimeUnit.SECONDS);

        CountDownLatch go = new CountDownLatch(1);
        List<Future<byte[]>> answers = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            byte[] payload = payload(i);
            answers.add(pool.submit(() -> {
                go.await();
                DuplexStream s = c.openStream().get(60, TimeUnit.SECONDS);
                s.write(payload);
                s.flush();
                s.closeOutput();
                return s.inputStream().readAllBytes();
            }));
        }
        go.countDown();
        List<Integer> withoutEnd = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            try {
                assertThat(answers.get(i).get(120, TimeUnit.SECONDS)).as("echo of stream %d", i).isEqualTo(payload(i));
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof DeadlineExceededException)) {
                    throw e;
                }
                withoutEnd.add(i);
            }
        }
        assertThat(relay.counters().droppedByLoss()).as("the path lost packets").isPositive();
        assertThat(withoutEnd).as("streams whose answer never ended").isEmpty();
    }

    private static byte[] payload(int i) {
        byte[] p = new byte[4096 + 37 * i];
        Arrays.fill(p, (byte) i);
        return p;
    }
}
