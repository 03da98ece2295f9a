package dev.pando.transport.relay;

import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.spi.TransportProvider;
import dev.pando.transport.quic.netty.QuicNettyTransportProvider;
import java.util.Set;

/**
 * {@link TransportProvider} "relay": the node keeps one connection to its home relay (option
 * {@code relay_url}) and reaches any node connected to the same relay by node id. Traffic is the
 * quic-netty transport's QUIC, end to end between the two nodes, over datagrams the relay forwards:
 * the relay sees node ids and sizes only, and the remote node id is proven by the same handshake as
 * a direct connection. Stateless; {@link #create} parses the options and does no I/O.
 *
 * <p>Threads: the quic-netty transport's only; the relay connection and the two QUIC codecs share
 * one of its I/O threads.
 */
public final class RelayTransportProvider implements TransportProvider {
    /** The provider's name in configuration. */
    public static final String NAME = "relay";

    /** For {@link java.util.ServiceLoader}. */
    public RelayTransportProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> optionKeys() {
        return Set.copyOf(RelayOptions.KEYS);
    }

    /**
     * @throws dev.pando.ConfigurationException without {@code relay_url}, with an unknown option or
     *     one that does not parse
     */
    @Override
    public Transport create(TransportContext context) {
        RelayOptions options = RelayOptions.parse(context.options());
        return QuicNettyTransportProvider.create(context, options.quic(), new RelayPath(options, context.identity(), context.services().events()));
    }
}
