/**
 * The Pando QUIC wire, implemented once and shared by every QUIC provider (kwik, Netty): the node
 * certificate, the client's identity proof as a state machine without I/O, the ALPNs, stream
 * preambles, close codes, the options, and the address rules. Its spec is WIRE.md beside it. Not an
 * SPI: no type of {@code dev.pando.spi} refers to it, and applications never need it.
 */
module dev.pando.transport.quic.core {
    requires transitive dev.pando.api;
    requires org.bouncycastle.provider;
    requires org.bouncycastle.pkix;

    exports dev.pando.transport.quic.core;
}
