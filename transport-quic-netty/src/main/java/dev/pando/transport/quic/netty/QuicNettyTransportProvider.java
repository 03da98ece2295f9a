package dev.pando.transport.quic.netty;

import dev.pando.spi.Transport;
import dev.pando.spi.TransportContext;
import dev.pando.spi.TransportProvider;
import dev.pando.transport.quic.core.QuicOptions;
import java.util.Set;

/**
 * {@link TransportProvider} "quic-netty": QUIC via Netty's native codec (quiche + BoringSSL), with
 * the Pando QUIC wire scheme (certificate-bound server identity, auth-stream client identity,
 * protocol preambles). Stateless; {@link #create} parses the options and does no I/O.
 */
public final class QuicNettyTransportProvider implements TransportProvider {
    /** The provider's name in configuration. */
    public static final String NAME = "quic-netty";

    /** For {@link java.util.ServiceLoader}. */
    public QuicNettyTransportProvider() {
    }

    /** The options {@link QuicOptions} reads (see transport-quic-core's README). */
    static final Set<String> OPTION_KEYS = Set.copyOf(QuicOptions.KEYS);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> optionKeys() {
        return OPTION_KEYS;
    }

    /**
     * @throws dev.pando.ConfigurationException for an option that does not parse or is out of range
     */
    @Override
    public Transport create(TransportContext context) {
        QuicOptions options = QuicOptions.parse(context.options());
        return new QuicNettyTransport(context, options, new UdpPath(options.bind()));
    }

    /**
     * A quic-netty transport whose QUIC packets travel over {@code path} instead of UDP sockets
     * (the relay transport builds on this; the package is exported to it only). The {@code bind}
     * of {@code options} is not used. Does no I/O.
     */
    public static Transport create(TransportContext context, QuicOptions options, DatagramPath path) {
        return new QuicNettyTransport(context, options, java.util.Objects.requireNonNull(path, "path"));
    }
}
