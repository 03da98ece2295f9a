package dev.pando.transport.quic;

import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.spi.TransportProvider;
import dev.pando.transport.quic.core.QuicOptions;
import java.util.Set;

/**
 * Provider "quic": Pando's QUIC wire scheme over kwik (pure Java). Stateless; {@link #create}
 * parses the options and does no I/O. Options are listed in the module README.
 */
public final class KwikTransportProvider implements TransportProvider {
    /** The options {@link TransportSettings} reads (see the module README). */
    static final Set<String> OPTION_KEYS = Set.copyOf(QuicOptions.KEYS);

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
        return new KwikTransport(context.identity(), context.networkId(), QuicOptions.parse(context.options()),
                context.services().events());
    }
}
