/**
 * The Pando relay: {@link dev.pando.transport.relay.RelayServer}, a server that forwards opaque
 * datagrams between the node ids it has authenticated, and {@code TransportProvider} "relay", which
 * runs the quic-netty transport's QUIC end to end over datagrams carried by one connection to a
 * home relay. Exports its one package for the server's public API; the provider is found with
 * {@link java.util.ServiceLoader}.
 */
module dev.pando.transport.relay {
    requires dev.pando.api;
    requires dev.pando.transport.quic.core;
    requires dev.pando.transport.quic.netty;
    requires io.netty.codec.classes.quic;
    requires io.netty.common;
    requires io.netty.buffer;
    requires io.netty.transport;
    requires io.netty.handler;
    requires io.netty.codec;
    requires io.netty.codec.http;
    requires org.slf4j;

    exports dev.pando.transport.relay;

    provides dev.pando.spi.TransportProvider with dev.pando.transport.relay.RelayTransportProvider;
}
