package dev.pando;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link NodeAddress#parse(String)} and {@link NodeAddress#toText()}. */
class NodeAddressTextTest {
    static final PublicKey ID = PrivateKey.fromHex("f47b55d7a1cc5ee3effd80a4e4a0c33112317d0432da9de6ae019ae7e78e16aa").publicKey();
    static final String HEX = ID.hex();

    @Test
    void oneIpv4Address() {
        NodeAddress a = NodeAddress.parse(HEX + "@127.0.0.1:4433");
        assertThat(a.nodeId()).isEqualTo(ID);
        assertThat(a.directAddresses()).containsExactly(new InetSocketAddress(ip("127.0.0.1"), 4433));
        assertThat(a.relayUrl()).isEmpty();
        assertThat(a.toText()).isEqualTo(HEX + "@127.0.0.1:4433");
    }

    @Test
    void severalAddressesIpv6AndARelayKeepTheirOrder() {
        String text = HEX + "@10.0.0.7:1,[2001:db8::7]:65535,[::1]:9;relay=https://relay.example.org:8443/p?a=1;b,c";
        NodeAddress a = NodeAddress.parse(text);
        assertThat(a.directAddresses()).containsExactly(
                new InetSocketAddress(ip("10.0.0.7"), 1),
                new InetSocketAddress(ip("2001:db8:0:0:0:0:0:7"), 65535),
                new InetSocketAddress(ip("::1"), 9));
        assertThat(a.relayUrl()).contains(URI.create("https://relay.example.org:8443/p?a=1;b,c"));
        assertThat(a.toText()).isEqualTo(text);
        assertThat(NodeAddress.parse(a.toText())).isEqualTo(a);
    }

    @Test
    void relayOnly() {
        NodeAddress a = NodeAddress.parse(HEX + "@;relay=https://relay.example.org/");
        assertThat(a.directAddresses()).isEmpty();
        assertThat(a.relayUrl()).contains(URI.create("https://relay.example.org/"));
        assertThat(a.toText()).isEqualTo(HEX + "@;relay=https://relay.example.org/");
    }

    @Test
    void inputHexMayBeUppercaseOutputIsLowercaseAndIpv6Short() {
        NodeAddress a = NodeAddress.parse(HEX.toUpperCase() + "@[2001:0DB8:0000:0000:0001:0000:0000:0001]:80");
        assertThat(a.nodeId()).isEqualTo(ID);
        // RFC 5952: the first of two equally long zero runs is the one shortened
        assertThat(a.toText()).isEqualTo(HEX + "@[2001:db8::1:0:0:1]:80");
    }

    @Test
    void ipv6ShortFormCases() {
        assertThat(text("[0:0:0:0:0:0:0:0]:1")).endsWith("@[::]:1");
        assertThat(text("[1:0:0:0:0:0:0:0]:1")).endsWith("@[1::]:1");
        assertThat(text("[1:0:2:0:3:0:4:0]:1")).endsWith("@[1:0:2:0:3:0:4:0]:1"); // single zeros stay
        assertThat(text("[1:2:0:0:3:0:0:0]:1")).endsWith("@[1:2:0:0:3::]:1");   // the longer run wins
        assertThat(text("[::ffff:10.1.2.3]:1")).endsWith("@10.1.2.3:1");         // IPv4-mapped is IPv4
    }

    @Test
    void everyRejectionNamesTheProblem() {
        String v4 = "@127.0.0.1:4433";
        assertRejected(HEX.substring(2) + "zz" + v4, "not valid hex");
        assertRejected(HEX.substring(1) + v4, "64 hex characters");
        assertRejected(HEX + "00" + v4, "64 hex characters");
        assertRejected(v4, "64 hex characters");
        assertRejected(HEX, "no '@'");
        assertRejected(HEX + "127.0.0.1:4433", "no '@'");
        assertRejected(HEX + "@", "no direct address and no relay");
        assertRejected(HEX + "@127.0.0.1", "<ip>:<port>");
        assertRejected(HEX + "@127.0.0.1:", "bad port");
        assertRejected(HEX + "@127.0.0.1:0", "not in 1..65535");
        assertRejected(HEX + "@127.0.0.1:65536", "not in 1..65535");
        assertRejected(HEX + "@127.0.0.1:123456", "bad port");
        assertRejected(HEX + "@127.0.0.1:-1", "bad port");
        assertRejected(HEX + "@127.0.0.1:4x", "bad port");
        assertRejected(HEX + "@127.0.0.256:1", "octet over 255");
        assertRejected(HEX + "@127.0.1:1", "not an IPv4 literal");
        assertRejected(HEX + "@localhost:1", "not an IPv4 literal");
        assertRejected(HEX + "@example.org:1", "not an IPv4 literal");
        assertRejected(HEX + "@::1:1", "not an IPv4 literal");
        assertRejected(HEX + "@[::g]:1", "not an IPv6 literal");
        assertRejected(HEX + "@[1.2.3.4]:1", "not an IPv6 literal");
        assertRejected(HEX + "@[1:2:3:4:5:6:7:8:9]:1", "not an IPv6 literal");
        assertRejected(HEX + "@127.0.0.1:1,", "<ip>:<port>");
        assertRejected(HEX + "@,127.0.0.1:1", "<ip>:<port>");
        assertRejected(HEX + "@127.0.0.1:1,127.0.0.1:1", "listed twice");
        assertRejected(HEX + "@127.0.0.1:1;relay=", "relay URL is empty");
        assertRejected(HEX + "@127.0.0.1:1;relay=/path", "absolute");
        assertRejected(HEX + "@127.0.0.1:1;relay=mailto:x", "absolute");
        assertRejected(HEX + "@127.0.0.1:1;relay=http://a b", "whitespace");
        assertRejected(HEX + "@127.0.0.1:1;relay=http://[x", "not a URL");
        assertRejected(HEX + "@127.0.0.1:1;via=http://x", "unknown node address parameter");
        assertRejected(HEX + "@127.0.0.1:1;", "unknown node address parameter");
        assertRejected(" " + HEX + v4, "whitespace");
        assertRejected(HEX + v4 + "\n", "whitespace");
        assertRejected(HEX + "@127.0.0.1:1,\u00e9", "non-ASCII");
        assertRejected(HEX + "@" + "1.2.3.4:1,".repeat(500) + "1.2.3.4:1", "longer than 4096");
        StringBuilder many = new StringBuilder(HEX).append('@');
        for (int i = 1; i <= 65; i++) {
            many.append(i == 1 ? "" : ",").append("10.0.0.1:").append(i);
        }
        assertRejected(many.toString(), "more than 64");
    }

    @Test
    void toTextRefusesWhatItCannotExpress() {
        assertThatThrownBy(() -> new NodeAddress(ID, List.of(), Optional.empty()).toText())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no direct address and no relay");
        assertThatThrownBy(() -> NodeAddress.direct(ID, InetSocketAddress.createUnresolved("example.org", 1)).toText())
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> NodeAddress.direct(ID, new InetSocketAddress(ip("127.0.0.1"), 0)).toText())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void textRoundTrips() {
        Trials.run(1000, random -> {
            NodeAddress a = address(random);
            String text = a.toText();
            assertThat(NodeAddress.parse(text)).as(text).isEqualTo(a);
            assertThat(NodeAddress.parse(text).toText()).isEqualTo(text);
        });
    }

    private static final List<URI> RELAYS = List.of(URI.create("https://relay.example.org/"),
            URI.create("http://10.0.0.1:3340"), URI.create("https://r.example/a;b,c?x=y"));

    /** A random address: up to 5 distinct IPv4 or IPv6 socket addresses and a relay 40 % of the time, not both absent. */
    static NodeAddress address(Random random) {
        byte[] id = new byte[32];
        random.nextBytes(id);
        while (true) {
            Set<InetSocketAddress> direct = new LinkedHashSet<>();
            for (int i = random.nextInt(6); i > 0; i--) {
                byte[] raw = new byte[random.nextBoolean() ? 4 : 16];
                random.nextBytes(raw);
                if (raw.length == 16) {
                    for (int j = 0; j < 16; j++) {
                        if ((raw[j] & 3) == 0) {
                            raw[j] = 0; // zero runs make the "::" cases likely
                        }
                    }
                }
                direct.add(new InetSocketAddress(address(raw), 1 + random.nextInt(65535)));
            }
            Optional<URI> relay = random.nextInt(10) < 4 ? Optional.of(RELAYS.get(random.nextInt(RELAYS.size()))) : Optional.empty();
            if (!direct.isEmpty() || relay.isPresent()) {
                return new NodeAddress(PublicKey.fromBytes(id), new ArrayList<>(direct), relay);
            }
        }
    }

    private static InetAddress address(byte[] b) {
        try {
            InetAddress a = InetAddress.getByAddress(b);
            // ::ffff:a.b.c.d reads back as IPv4; getByAddress already returns it as such
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(String direct) {
        return NodeAddress.parse(HEX + "@" + direct).toText();
    }

    private static void assertRejected(String text, String message) {
        assertThatThrownBy(() -> NodeAddress.parse(text)).as(text)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

}
