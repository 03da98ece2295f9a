package dev.pando;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How to reach a node: its id (an Ed25519 public key, proven on connect), the socket addresses
 * it may be reached at directly, and optionally the URL of a relay it is connected to.
 *
 * <h2>Text form</h2>
 * {@link #toText()} and {@link #parse(String)} use one line of ASCII:
 * <pre>
 *   &lt;node id&gt;@&lt;ip:port&gt;[,&lt;ip:port&gt;…][;relay=&lt;url&gt;]
 *   3b6a27bc…8c4f@127.0.0.1:4433
 *   3b6a27bc…8c4f@192.168.1.20:4433,[2001:db8::7]:4433;relay=https://relay.example.org/
 *   3b6a27bc…8c4f@;relay=https://relay.example.org/
 * </pre>
 * <ul>
 *   <li>The node id is the 64 hex characters of the public key (either case on input, lowercase on
 *       output).</li>
 *   <li>Direct addresses are IP address literals, never host names (parsing does no DNS lookup),
 *       with a port of 1 to 65535: IPv4 as dotted quad ({@code 10.0.0.1:4433}), IPv6 in brackets
 *       ({@code [::1]:4433}; an interface scope such as {@code [fe80::1%eth0]:4433} is kept).
 *       They are kept in the order written, and none may appear twice. On output IPv6 is written in
 *       the RFC 5952 short form.</li>
 *   <li>The optional relay is the last part, {@code ;relay=} followed by an absolute URL with a
 *       scheme and a host (it may itself contain {@code ;} and {@code ,}).</li>
 *   <li>An address must name at least one way to reach the node: the list of direct addresses may
 *       be empty only if a relay is given.</li>
 *   <li>No whitespace anywhere; at most {@value #MAX_TEXT_LENGTH} characters and
 *       {@value #MAX_DIRECT_ADDRESSES} direct addresses.</li>
 * </ul>
 * For every address that has a direct address or a relay,
 * {@code NodeAddress.parse(a.toText()).equals(a)}.
 */
public record NodeAddress(PublicKey nodeId, List<InetSocketAddress> directAddresses, Optional<URI> relayUrl) {
    /** The longest text {@link #parse(String)} accepts. */
    public static final int MAX_TEXT_LENGTH = 4096;
    /** The most direct addresses {@link #parse(String)} accepts. */
    public static final int MAX_DIRECT_ADDRESSES = 64;

    private static final String RELAY = ";relay=";
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    // hex groups, colons and an optional trailing dotted quad; an optional %scope. Only literals pass,
    // so InetAddress.getByName below never turns into a DNS lookup.
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(%[0-9A-Za-z_.-]+)?");
    private static final Pattern PORT = Pattern.compile("\\d{1,5}");

    public NodeAddress {
        Objects.requireNonNull(nodeId, "nodeId");
        directAddresses = List.copyOf(directAddresses);
        Objects.requireNonNull(relayUrl, "relayUrl");
    }

    /** An address with direct socket addresses only. */
    public static NodeAddress direct(PublicKey nodeId, InetSocketAddress... addresses) {
        return new NodeAddress(nodeId, List.of(addresses), Optional.empty());
    }

    /** The same node id and relay with other direct addresses. */
    public NodeAddress withDirectAddresses(List<InetSocketAddress> addresses) {
        return new NodeAddress(nodeId, addresses, relayUrl);
    }

    /**
     * Parses the text form described in the class documentation.
     *
     * @throws IllegalArgumentException naming what is wrong: a node id that is not 64 hex
     *     characters, a missing {@code @}, an address that is not an IP literal with a port of 1 to
     *     65535, a duplicate address, no address and no relay, a relay that is not an absolute URL
     *     with a host, an unknown {@code ;} parameter, whitespace, or text that is too long
     */
    public static NodeAddress parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException("node address is longer than " + MAX_TEXT_LENGTH + " characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c >= 0x7F) {
                throw new IllegalArgumentException("node address contains whitespace or a non-ASCII character at index " + i);
            }
        }
        int at = text.indexOf('@');
        if (at < 0) {
            throw new IllegalArgumentException("node address must be <node id hex>@<ip:port>[,<ip:port>…][;relay=<url>], no '@' in \""
                    + text + "\"");
        }
        String id = text.substring(0, at);
        if (id.length() != PublicKey.LENGTH * 2) {
            throw new IllegalArgumentException("node id must be " + PublicKey.LENGTH * 2 + " hex characters, got "
                    + id.length() + " in \"" + text + "\"");
        }
        PublicKey nodeId;
        try {
            nodeId = PublicKey.fromHex(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("node id is not valid hex: \"" + id + "\"", e);
        }
        String rest = text.substring(at + 1);
        Optional<URI> relay = Optional.empty();
        int semicolon = rest.indexOf(';');
        if (semicolon >= 0) {
            if (!rest.startsWith(RELAY, semicolon)) {
                throw new IllegalArgumentException("unknown node address parameter \"" + rest.substring(semicolon)
                        + "\": only ;relay=<url> is defined");
            }
            relay = Optional.of(relayUrl(rest.substring(semicolon + RELAY.length())));
            rest = rest.substring(0, semicolon);
        }
        List<InetSocketAddress> direct = new ArrayList<>();
        if (!rest.isEmpty()) {
            Set<InetSocketAddress> seen = new HashSet<>();
            for (String part : rest.split(",", -1)) {
                InetSocketAddress a = socketAddress(part);
                if (!seen.add(a)) {
                    throw new IllegalArgumentException("direct address " + part + " is listed twice");
                }
                direct.add(a);
                if (direct.size() > MAX_DIRECT_ADDRESSES) {
                    throw new IllegalArgumentException("more than " + MAX_DIRECT_ADDRESSES + " direct addresses");
                }
            }
        }
        if (direct.isEmpty() && relay.isEmpty()) {
            throw new IllegalArgumentException("node address lists no direct address and no relay: \"" + text + "\"");
        }
        return new NodeAddress(nodeId, direct, relay);
    }

    /**
     * The text form described in the class documentation, e.g. {@code <id hex>@127.0.0.1:4433}.
     *
     * @throws IllegalStateException if this address has neither a direct address nor a relay
     *     (it names no way to reach the node, and the text form cannot express that), or a direct
     *     address is unresolved (a host name rather than an IP address) or has port 0
     */
    public String toText() {
        if (directAddresses.isEmpty() && relayUrl.isEmpty()) {
            throw new IllegalStateException("node address of " + nodeId.hex() + " has no direct address and no relay");
        }
        StringBuilder sb = new StringBuilder(nodeId.hex()).append('@');
        for (int i = 0; i < directAddresses.size(); i++) {
            InetSocketAddress a = directAddresses.get(i);
            if (a.isUnresolved() || a.getPort() == 0) {
                throw new IllegalStateException("direct address " + a + " has no IP address or no port");
            }
            if (i > 0) {
                sb.append(',');
            }
            InetAddress ip = a.getAddress();
            if (ip instanceof Inet6Address v6) {
                sb.append('[').append(shortForm(v6)).append(']');
            } else {
                sb.append(ip.getHostAddress());
            }
            sb.append(':').append(a.getPort());
        }
        relayUrl.ifPresent(url -> sb.append(RELAY).append(url.toASCIIString()));
        return sb.toString();
    }

    private static InetSocketAddress socketAddress(String part) {
        int colon = part.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("direct address \"" + part + "\" must be <ip>:<port> or [<ipv6>]:<port>");
        }
        String host = part.substring(0, colon);
        String portText = part.substring(colon + 1);
        if (!PORT.matcher(portText).matches()) {
            throw new IllegalArgumentException("direct address \"" + part + "\" has a bad port \"" + portText + "\"");
        }
        int port = Integer.parseInt(portText);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("direct address \"" + part + "\" has port " + port + ", not in 1..65535");
        }
        InetAddress ip;
        if (host.startsWith("[") && host.endsWith("]")) {
            String v6 = host.substring(1, host.length() - 1);
            if (!IPV6.matcher(v6).matches()) {
                throw new IllegalArgumentException("direct address \"" + part + "\": \"" + v6 + "\" is not an IPv6 literal");
            }
            try {
                ip = InetAddress.getByName(v6);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("direct address \"" + part + "\": \"" + v6 + "\" is not an IPv6 literal", e);
            }
            if (!(ip instanceof Inet6Address) && !v6.contains(".")) {
                throw new IllegalArgumentException("direct address \"" + part + "\": \"" + v6 + "\" is not an IPv6 literal");
            }
        } else {
            var m = IPV4.matcher(host);
            if (!m.matches()) {
                throw new IllegalArgumentException("direct address \"" + part + "\": \"" + host
                        + "\" is not an IPv4 literal (IPv6 goes in brackets; host names are not allowed)");
            }
            byte[] bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(m.group(i + 1));
                if (octet > 255) {
                    throw new IllegalArgumentException("direct address \"" + part + "\": \"" + host + "\" has an octet over 255");
                }
                bytes[i] = (byte) octet;
            }
            try {
                ip = Inet4Address.getByAddress(bytes);
            } catch (UnknownHostException e) {
                throw new IllegalStateException("4 bytes are always an IPv4 address", e);
            }
        }
        return new InetSocketAddress(ip, port);
    }

    private static URI relayUrl(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("relay URL is empty");
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("relay URL \"" + text + "\" is not a URL: " + e.getReason(), e);
        }
        if (!uri.isAbsolute() || uri.getHost() == null) {
            throw new IllegalArgumentException("relay URL \"" + text + "\" must be absolute with a scheme and a host");
        }
        return uri;
    }

    /** RFC 5952 text: lowercase, no leading zeros, the longest run of two or more zero groups as "::". */
    private static String shortForm(Inet6Address ip) {
        byte[] b = ip.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (b[2 * i] & 0xFF) << 8 | (b[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        String scope = scope(ip);
        return sb.toString().toLowerCase(Locale.ROOT) + scope;
    }

    private static String scope(Inet6Address ip) {
        if (ip.getScopedInterface() != null) {
            return "%" + ip.getScopedInterface().getName();
        }
        return ip.getScopeId() != 0 ? "%" + ip.getScopeId() : "";
    }
}
