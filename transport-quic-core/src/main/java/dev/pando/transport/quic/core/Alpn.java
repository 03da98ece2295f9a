package dev.pando.transport.quic.core;

import dev.pando.NetworkId;
import java.nio.charset.StandardCharsets;

/**
 * The ALPN protocol ids that bind a QUIC connection to a network (WIRE.md, "Handshake"). Nodes of
 * one network negotiate {@link #of(NetworkId)}; {@link #OTHER_NETWORK} exists only to be refused.
 */
public final class Alpn {
    /** The prefix of a network's ALPN; the lowercase hex of the network id follows. */
    public static final String PREFIX = "pando/1/";

    /**
     * An ALPN every Pando node offers after its own network's and accepts only to refuse: a server
     * that negotiates it closes the connection at once with {@link CloseCode#OTHER_NETWORK}, and a
     * dialer that negotiates it fails with "another network". Without it, a dialer of another
     * network depends on the server sending a TLS alert for the failed ALPN, which quiche (the
     * Netty provider) does not, leaving the dialer to time out. Servers list their own network
     * first, so two nodes of one network always negotiate {@link #of(NetworkId)}.
     */
    public static final String OTHER_NETWORK = "pando/1";

    private Alpn() {
    }

    /** The ALPN protocol id for a network: {@code pando/1/} + lowercase hex of the id (72 characters). */
    public static String of(NetworkId networkId) {
        return PREFIX + networkId.hex();
    }

    /** {@link #of(NetworkId)} as the bytes sent in TLS. */
    public static byte[] bytes(NetworkId networkId) {
        return of(networkId).getBytes(StandardCharsets.US_ASCII);
    }
}
