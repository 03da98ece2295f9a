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

    /**
     * Aliases make a misrouting relay: packets to a claimed id go to the real node, and each packet
     * of the real node also arrives as a copy that claims to come from the claimed id (so a dialer
     * of the claimed id gets the real node's answers).
     */
    private void filter(PublicKey source, PublicKey destination, ByteBuf payload, PacketFilter.Deliverer out) {
        PublicKey to = aliases.getOrDefault(destination, destination);
        aliases.forEach((claimed, real) -> {
            if (real.equals(source)) {
                out.deliver(claimed, to, payload.retainedDuplicate());
            }
        });
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
