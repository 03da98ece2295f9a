package dev.pando.discovery.mdns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MdnsRecordTest {
    private static final NetworkId NET = NetworkId.named("record-test");
    private final PublicKey id = PrivateKey.generate().publicKey();

    private static InetSocketAddress socket(String ip, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private MdnsRecord record(List<InetSocketAddress> direct, Optional<URI> relay) {
        return new MdnsRecord(new NodeAddress(id, direct, relay), NET);
    }

    private static MdnsRecord.Decoded roundTrip(MdnsRecord r) {
        return MdnsRecord.decode(r.instanceName(), MdnsRecord.wire(r.txt()));
    }

    private static Rejection rejection(MdnsRecord.Decoded d) {
        assertThat(d).isInstanceOf(MdnsRecord.Rejected.class);
        return ((MdnsRecord.Rejected) d).reason();
    }

    @Test
    void aRecordReadsBackAsWritten() {
        MdnsRecord r = record(List.of(socket("10.0.0.7", 4433), socket("2001:db8::7", 4433)),
                Optional.of(URI.create("https://relay.example.org/")));
        assertThat(roundTrip(r)).isEqualTo(new MdnsRecord.Accepted(r));
        assertThat(r.txt()).containsEntry("v", "1").containsEntry("id", id.hex()).containsEntry("net", NET.hex())
                .containsEntry("a0", "10.0.0.7:4433").containsEntry("a1", "[2001:db8::7]:4433")
                .containsEntry("relay", "https://relay.example.org/");
    }

    @Test
    void aRelayOnlyRecordReadsBack() {
        MdnsRecord r = record(List.of(), Optional.of(URI.create("https://relay.example.org/")));
        assertThat(roundTrip(r)).isEqualTo(new MdnsRecord.Accepted(r));
    }

    @Test
    void theInstanceNameIsTheZBase32NodeIdAndFitsADnsLabel() {
        MdnsRecord r = record(List.of(socket("10.0.0.7", 1)), Optional.empty());
        assertThat(r.instanceName()).hasSize(52).matches("[ybndrfg8ejkmcpqxot1uwisza345h769]+");
        assertThat(MdnsRecord.SERVICE_TYPE.substring(1, MdnsRecord.SERVICE_TYPE.indexOf('.'))).hasSizeLessThanOrEqualTo(15);
    }

    @Test
    void everyEntryFitsDnsAndTheWholeTxtStaysWithinItsBudget() {
        List<InetSocketAddress> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(socket("2001:db8:1234:5678:9abc:def0:1234:" + Integer.toHexString(0x1000 + i), 65535));
        }
        MdnsRecord r = record(many, Optional.of(URI.create("https://" + "r".repeat(170) + ".example.org/")));
        Map<String, String> txt = r.txt();
        assertThat(MdnsRecord.size(txt)).isLessThanOrEqualTo(MdnsRecord.MAX_TXT_BYTES);
        txt.forEach((k, v) -> assertThat(k.length() + 1 + v.length()).isLessThanOrEqualTo(255));
        MdnsRecord.Decoded d = roundTrip(r);
        assertThat(d).isInstanceOf(MdnsRecord.Accepted.class);
        List<InetSocketAddress> kept = ((MdnsRecord.Accepted) d).record().address().directAddresses();
        assertThat(kept).isNotEmpty().hasSizeLessThan(MdnsRecord.MAX_ADDRESSES + 1).isEqualTo(many.subList(0, kept.size()));
    }

    @Test
    void aRelayUrlTooLongForAnEntryIsRefused() {
        MdnsRecord r = record(List.of(), Optional.of(URI.create("https://" + "r".repeat(300) + ".example.org/")));
        org.assertj.core.api.Assertions.assertThatThrownBy(r::txt).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("relay URL");
    }

    private byte[] txt(Map<String, String> entries) {
        return MdnsRecord.wire(entries);
    }

    private Map<String, String> valid() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("v", "1");
        m.put("net", NET.hex());
        m.put("id", id.hex());
        m.put("a0", "10.0.0.1:4433");
        return m;
    }

    private MdnsRecord.Decoded decode(Map<String, String> entries) {
        return MdnsRecord.decode(MdnsRecord.instanceName(id), txt(entries));
    }

    @Test
    void malformedRecordsAreRejectedWithTheirReason() {
        Map<String, String> m = valid();
        m.put("id", id.hex().substring(1));
        assertThat(rejection(decode(m))).isEqualTo(Rejection.BAD_NODE_ID);
        m = valid();
        m.put("id", "zz" + id.hex().substring(2));
        assertThat(rejection(decode(m))).isEqualTo(Rejection.BAD_NODE_ID);
        m = valid();
        m.put("id", "00".repeat(32)); // y = 0: a point of small order
        assertThat(rejection(MdnsRecord.decode(MdnsRecord.instanceName(PublicKey.fromHex("00".repeat(32))), txt(m))))
                .isEqualTo(Rejection.BAD_NODE_ID);
        m = valid();
        m.put("net", "x");
        assertThat(rejection(decode(m))).isEqualTo(Rejection.BAD_NETWORK_ID);
        m = valid();
        m.remove("net");
        assertThat(rejection(decode(m))).isEqualTo(Rejection.BAD_NETWORK_ID);
        m = valid();
        m.put("v", "2");
        assertThat(rejection(decode(m))).isEqualTo(Rejection.UNSUPPORTED_VERSION);
        m = valid();
        m.put("a0", "999.0.0.1:1");
        assertThat(rejection(decode(m))).isEqualTo(Rejection.BAD_ADDRESS);
        m = valid();
        m.put("a0", "example.org:1");
        assertThat(rejection(decode(m))).as("no host names: decoding does no DNS lookup").isEqualTo(Rejection.BAD_ADDRESS);
        m = valid();
        m.put("a1", "10.0.0.1:4433");
        assertThat(rejection(decode(m))).as("duplicate address").isEqualTo(Rejection.BAD_ADDRESS);
        m = valid();
        for (int i = 0; i < 17; i++) {
            m.put("a" + i, "10.0.1." + i + ":1");
        }
        assertThat(rejection(decode(m))).isEqualTo(Rejection.BAD_ADDRESS);
        m = valid();
        m.put("relay", "not a url");
        assertThat(rejection(decode(m))).isEqualTo(Rejection.BAD_ADDRESS);
        m = valid();
        m.remove("a0");
        assertThat(rejection(decode(m))).isEqualTo(Rejection.NO_ADDRESS);
        assertThat(rejection(MdnsRecord.decode("someone-else", txt(valid())))).isEqualTo(Rejection.NAME_MISMATCH);
    }

    @Test
    void brokenTxtBytesAreRejected() {
        byte[] good = txt(valid());
        byte[] truncated = java.util.Arrays.copyOf(good, good.length + 1);
        truncated[good.length] = 10;
        assertThat(rejection(MdnsRecord.decode(MdnsRecord.instanceName(id), truncated))).isEqualTo(Rejection.OVERSIZED_OR_TRUNCATED);
        byte[] nonAscii = good.clone();
        nonAscii[nonAscii.length - 1] = (byte) 0xC3;
        assertThat(rejection(MdnsRecord.decode(MdnsRecord.instanceName(id), nonAscii))).isEqualTo(Rejection.NOT_ASCII);
        assertThat(rejection(MdnsRecord.decode(MdnsRecord.instanceName(id), new byte[MdnsRecord.MAX_RECEIVED_TXT_BYTES + 1])))
                .isEqualTo(Rejection.OVERSIZED_OR_TRUNCATED);
        assertThat(rejection(MdnsRecord.decode(MdnsRecord.instanceName(id), new byte[0]))).isEqualTo(Rejection.INCOMPLETE);
        assertThat(rejection(MdnsRecord.decode(MdnsRecord.instanceName(id), new byte[] {0}))).isEqualTo(Rejection.INCOMPLETE);
        assertThat(rejection(MdnsRecord.decode(MdnsRecord.instanceName(id), null))).isEqualTo(Rejection.INCOMPLETE);
    }

    @Test
    void aRefreshPromiseReadsBackAndABadOneIsRejected() {
        MdnsRecord r = record(List.of(socket("10.0.0.7", 4433)), Optional.empty());
        MdnsRecord.Refresh refresh = new MdnsRecord.Refresh(20, 0xFFFF_FFFFL);
        Map<String, String> txt = r.txt(Optional.of(refresh));
        assertThat(txt).containsEntry("r", "20").containsEntry("b", "ffffffff");
        assertThat(MdnsRecord.decode(r.instanceName(), MdnsRecord.wire(txt))).isEqualTo(new MdnsRecord.Accepted(r, Optional.of(refresh)));
        assertThat(refresh.next()).isEqualTo(new MdnsRecord.Refresh(20, 0));
        assertThat(roundTrip(r)).as("no promise, no expiry").isEqualTo(new MdnsRecord.Accepted(r, Optional.empty()));

        for (Map<String, String> bad : List.of(Map.of("r", "20"), Map.of("b", "1f"), Map.of("r", "0", "b", "1"),
                Map.of("r", "3601", "b", "1"), Map.of("r", "020", "b", "1"), Map.of("r", "20", "b", "123456789"),
                Map.of("r", "20", "b", "1F"), Map.of("r", "20", "b", ""), Map.of("r", "-1", "b", "1"))) {
            Map<String, String> m = valid();
            m.putAll(bad);
            assertThat(rejection(decode(m))).as(bad.toString()).isEqualTo(Rejection.BAD_REFRESH);
        }
    }

    @Test
    void theRefreshPromiseIsKeptWhenAddressesFillTheBudget() {
        List<InetSocketAddress> many = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            many.add(socket("2001:db8:1234:5678:9abc:def0:1234:" + Integer.toHexString(0x1000 + i), 65535));
        }
        MdnsRecord r = record(many, Optional.of(URI.create("https://" + "r".repeat(170) + ".example.org/")));
        Map<String, String> txt = r.txt(Optional.of(new MdnsRecord.Refresh(3600, 0xABCDEF01L)));
        assertThat(MdnsRecord.size(txt)).isLessThanOrEqualTo(MdnsRecord.MAX_TXT_BYTES);
        assertThat(txt).containsEntry("r", "3600").containsEntry("b", "abcdef01");
    }

    @Test
    void keysAreCaseInsensitiveFirstWinsAndUnknownOnesAreIgnored() {
        byte[] wire = concat(
                "V=1", "NET=" + NET.hex(), "Id=" + id.hex(), "a0=10.0.0.1:4433", "a0=10.0.0.2:4433", "flag", "", "zz=unknown");
        MdnsRecord.Decoded d = MdnsRecord.decode(MdnsRecord.instanceName(id), wire);
        assertThat(d).isInstanceOf(MdnsRecord.Accepted.class);
        assertThat(((MdnsRecord.Accepted) d).record().address().directAddresses()).containsExactly(socket("10.0.0.1", 4433));
    }

    private static byte[] concat(String... entries) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (String e : entries) {
            byte[] b = e.getBytes(StandardCharsets.US_ASCII);
            out.write(b.length);
            out.writeBytes(b);
        }
        return out.toByteArray();
    }

    @Test
    void randomBytesNeverThrow() {
        Random random = new Random(15);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(1400)];
            random.nextBytes(b);
            assertThat(MdnsRecord.decode(random.nextBoolean() ? MdnsRecord.instanceName(id) : "x", b))
                    .isInstanceOf(MdnsRecord.Rejected.class);
        }
        // and mutations of a valid record: accepted or rejected, never an exception
        byte[] good = txt(valid());
        for (int i = 0; i < 20_000; i++) {
            byte[] b = good.clone();
            for (int j = 0; j < 1 + random.nextInt(3); j++) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            assertThat(MdnsRecord.decode(MdnsRecord.instanceName(id), b)).isNotNull();
        }
    }
}
