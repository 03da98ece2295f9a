package dev.pando.transport.relay;

import dev.pando.PublicKey;
import io.netty.buffer.ByteBuf;

/**
 * What the relay does with each authenticated SEND: forward it to its destination. Tests replace it
 * with a tampering relay (flip, drop, duplicate, replay, misroute, forge the source) to check that the end-to-end
 * QUIC layer rejects what a hostile relay does. Runs on the sender's event loop.
 */
interface PacketFilter {
    /** Where a filter hands what it forwards; takes ownership of {@code payload}. */
    interface Deliverer {
        /** Delivers {@code payload} to {@code destination} as coming from {@code source}. */
        void deliver(PublicKey source, PublicKey destination, ByteBuf payload);
    }

    /** Takes ownership of {@code payload}: delivers or releases it. */
    void filter(PublicKey source, PublicKey destination, ByteBuf payload, Deliverer out);

    /** The honest relay. */
    PacketFilter FORWARD = (source, destination, payload, out) -> out.deliver(source, destination, payload);
}
