package dev.pando.spi;

import dev.pando.NetworkId;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Rules for protocol names and the ALPN that binds QUIC connections to a network (Pando QUIC wire
 * scheme, steps 1 and 4). A protocol name is 1 to {@value #MAX_LENGTH} bytes of
 * {@code [a-z0-9._-]+(/[a-z0-9._-]+)*}{@code /<version>}, e.g. {@code pando/sync/1}.
 */
public final class ProtocolNames {
    /** The longest protocol name, in bytes. */
    public static final int MAX_LENGTH = 200;

    /** The prefix of the ALPN; the lowercase hex of the network id follows. */
    public static final String ALPN_PREFIX = "pando/1/";

    /**
     * An ALPN every Pando node offers after its own network's and accepts only to refuse: a server
     * that negotiates it closes the connection at once with {@link #CLOSE_OTHER_NETWORK}, and a
     * dialer that negotiates it fails with "another network". Without it, a dialer of another
     * network depends on the server sending a TLS alert for the failed ALPN, which quiche (the
     * Netty provider) does not, leaving the dialer to time out. Servers list their own network
     * first, so two nodes of one network always negotiate {@link #alpn(NetworkId)}.
     */
    public static final String ALPN_OTHER_NETWORK = "pando/1";

    /** The QUIC application error code with which a server closes an {@link #ALPN_OTHER_NETWORK} connection. */
    public static final int CLOSE_OTHER_NETWORK = 6;

    private static final Pattern NAME = Pattern.compile("[a-z0-9._-]+(/[a-z0-9._-]+)*/[0-9]+");

    private ProtocolNames() {
    }

    /** Whether {@code name} is a valid protocol name. */
    public static boolean isValid(String name) {
        return name != null && !name.isEmpty() && name.length() <= MAX_LENGTH && NAME.matcher(name).matches();
    }

    /**
     * Returns {@code name} if it is a valid protocol name.
     *
     * @throws IllegalArgumentException naming the rule it breaks
     */
    public static String validate(String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException("invalid protocol name \"" + name + "\": must be 1.." + MAX_LENGTH
                    + " characters of [a-z0-9._-] segments separated by '/', ending in a numeric version, e.g. pando/sync/1");
        }
        return name;
    }

    /** The ALPN protocol id for a network: {@code pando/1/} + lowercase hex of the id (72 characters). */
    public static String alpn(NetworkId networkId) {
        return ALPN_PREFIX + networkId.hex();
    }

    /** {@link #alpn(NetworkId)} as the bytes sent in TLS. */
    public static byte[] alpnBytes(NetworkId networkId) {
        return alpn(networkId).getBytes(StandardCharsets.US_ASCII);
    }
}
