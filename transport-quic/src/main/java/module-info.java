/**
 * {@code TransportProvider} "quic": Pando's QUIC wire scheme over kwik, a pure-Java QUIC stack.
 * Exports nothing; found with {@link java.util.ServiceLoader}.
 */
module dev.pando.transport.quic {
    requires dev.pando.api;
    requires dev.pando.transport.quic.core;
    requires tech.kwik.core;
    requires tech.kwik.agent15;

    provides dev.pando.spi.TransportProvider with dev.pando.transport.quic.KwikTransportProvider;
}
