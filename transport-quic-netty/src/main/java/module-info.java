/**
 * {@code TransportProvider} "quic-netty": authenticated QUIC connections via Netty's native QUIC
 * codec (quiche + BoringSSL), speaking the Pando QUIC wire scheme so it interoperates with the
 * kwik-based "quic" provider. Exports nothing; found with {@link java.util.ServiceLoader}.
 *
 * <p>The native part (module {@code io.netty.codec.quic.<os>.<arch>}, e.g.
 * {@code io.netty.codec.quic.linux.x86_64}) is required by nothing: launch with
 * {@code --add-modules} and that module.
 */
module dev.pando.transport.quic.netty {
    requires dev.pando.api;
    requires dev.pando.transport.quic.core;
    requires io.netty.codec.classes.quic;
    requires io.netty.common;
    requires io.netty.buffer;
    requires transitive io.netty.transport;

    // the relay transport runs this transport's QUIC engine over relayed datagrams (DatagramPath);
    // no other module sees this package
    exports dev.pando.transport.quic.netty to dev.pando.transport.relay;

    provides dev.pando.spi.TransportProvider with dev.pando.transport.quic.netty.QuicNettyTransportProvider;
}
