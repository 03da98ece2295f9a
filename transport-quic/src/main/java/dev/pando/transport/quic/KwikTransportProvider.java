package dev.pando.transport.quic;

import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.spi.TransportProvider;
import java.util.Set;

/**
 * Provider "quic": Pando's QUIC wire scheme over kwik (pure Java). Stateless; {@link #create}
 * parses the options and does no I/O. Options are listed in the module README.
 */
public final class KwikTransportProvider implements TransportProvider {
    /** The options {@link TransportSettings} reads (see the module README). */
    static final Set<String> OPTION_KEYS = Set.of("bind", "handshake_timeout", "idle_timeout", "keep_alive", "stream_timeout",
            "max_streams_per_connection", "max_connections_per_peer", "max_connections", "accept_queue", "stream_window",
            "connection_window");

    @Override
    public String name() {
        return "quic";
    }

    @Override
    public Set<String> optionKeys() {
        return OPTION_KEYS;
    }

    @Override
    public Transport create(TransportContext context) {
        return new KwikTransport(context.identity(), context.networkId(), TransportSettings.from(context.options()),
                context.services().events());
    }
}
