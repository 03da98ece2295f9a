package dev.pando.transport.relay;

import dev.pando.PublicKey;
import io.netty.buffer.ByteBuf;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A relay on loopback whose forwarding tests can change: aliases (packets to one id go to another
 * node, as a misrouting relay would) and a tampering step applied to each packet.
 */
final class TestRelay implements AutoCloseable {
    final Map<PublicKey, PublicKey> aliases = new ConcurrentHashMap<>();
    volatile PacketFilter tamper = PacketFilter.FORWARD;
    final RelayServer server;

    TestRelay() {
        this(RelayServerConfig.defaults().withMetrics(true));
    }

    TestRelay(RelayServerConfig config) {
        server = RelayServer.create(config, this::filter);
        server.start();
    }

    private void filter(PublicKey source, PublicKey destination, ByteBuf payload, PacketFilter.Deliverer out) {
        PublicKey to = aliases.getOrDefault(destination, destination);
        tamper.filter(source, to, payload, out);
    }

    String url() {
        return server.url().toString();
    }

    @Override
    public void close() {
        server.close();
    }
}
