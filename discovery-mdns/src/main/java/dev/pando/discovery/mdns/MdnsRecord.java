package dev.pando.discovery.mdns;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One node's DNS-SD record, as announced and as read back (the layout is in the module README).
 *
 * <p>Service type {@value #SERVICE_TYPE} (DNS-SD names are at most 15 characters, RFC 6335); the
 * instance name is the z-base-32 node id (52 characters: a DNS label holds 63 bytes, the hex id
 * 64); the TXT record carries {@code v=1}, {@code net=}, {@code id=}, {@code a0=}…{@code a15=} (one
 * direct address each, in {@link NodeAddress}'s text form), an optional {@code relay=}, and,
 * optionally together, {@code r=} and {@code b=} (see {@link Refresh}). Every
 * entry stays within DNS's 255 bytes and the whole TXT within {@value #MAX_TXT_BYTES} bytes, so
 * the announcement fits one Ethernet frame with the SRV and address records (RFC 6763 §6.2).
 */
record MdnsRecord(NodeAddress address, NetworkId networkId) {
    static final String SERVICE_TYPE = "_pando._udp.local.";
    static final String VERSION = "1";
    /** The most direct addresses announced or accepted. */
    static final int MAX_ADDRESSES = 16;
    /** The longest relay URL announced, in bytes: with {@code relay=} it stays under DNS's 255 per entry. */
    static final int MAX_RELAY_BYTES = 200;
    /** The TXT size this node announces at most (jmdns fails at about 1,458; RFC 6763 advises ~1,300). */
    static final int MAX_TXT_BYTES = 1200;
    /** The TXT size accepted from others. */
    static final int MAX_RECEIVED_TXT_BYTES = 1300;

    /** The longest refresh interval a record may promise, in seconds. */
    static final int MAX_REFRESH_SECONDS = 3600;

    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern REFRESH_SECONDS = Pattern.compile("[1-9][0-9]{0,3}");
    private static final Pattern BEAT = Pattern.compile("[0-9a-f]{1,8}");

    /**
     * A sender's promise to announce its record again, with a new {@code beat}, at least every
     * {@code intervalSeconds}: TXT {@code r=<seconds, 1..3600>} and {@code b=<beat, 1..8 lowercase
     * hex>}. A receiver that hears no new beat for a few intervals takes the node for gone, as a
     * record's own TTL (jmdns's is an hour, JVM-wide) would say much later.
     */
    record Refresh(int intervalSeconds, long beat) {
        Refresh {
            if (intervalSeconds < 1 || intervalSeconds > MAX_REFRESH_SECONDS) {
                throw new IllegalArgumentException("refresh interval of " + intervalSeconds + " s, must be 1.." + MAX_REFRESH_SECONDS);
            }
            if (beat < 0 || beat > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("beat " + beat + " out of 32 bits");
            }
        }

        /** The next beat (wrapping at 32 bits). */
        Refresh next() {
            return new Refresh(intervalSeconds, (beat + 1) & 0xFFFF_FFFFL);
        }
    }

    /** The DNS-SD instance name: the z-base-32 node id. */
    String instanceName() {
        return instanceName(address.nodeId());
    }

    static String instanceName(PublicKey nodeId) {
        return ZBase32.encode(nodeId.bytes());
    }

    /**
     * This record's TXT entries in announcement order. Addresses that would push the TXT over
     * {@value #MAX_TXT_BYTES} bytes are left out (the last ones first).
     *
     * @throws IllegalArgumentException if the relay URL is longer than {@value #MAX_RELAY_BYTES} bytes
     */
    Map<String, String> txt() {
        return txt(Optional.empty());
    }

    /**
     * This record's TXT entries with {@code refresh}'s {@code r=} and {@code b=} (never left out for
     * addresses), as {@link #txt()} otherwise.
     */
    Map<String, String> txt(Optional<Refresh> refresh) {
        Map<String, String> txt = new LinkedHashMap<>();
        txt.put("v", VERSION);
        txt.put("net", networkId.hex());
        txt.put("id", address.nodeId().hex());
        refresh.ifPresent(r -> {
            txt.put("r", Integer.toString(r.intervalSeconds()));
            txt.put("b", Long.toHexString(r.beat()));
        });
        address.relayUrl().ifPresent(url -> {
            String text = url.toASCIIString();
            if (text.length() > MAX_RELAY_BYTES) {
                throw new IllegalArgumentException("relay URL of " + text.length() + " bytes is longer than the "
                        + MAX_RELAY_BYTES + " an mDNS record carries: " + text);
            }
            txt.put("relay", text);
        });
        int size = size(txt);
        List<InetSocketAddress> direct = address.directAddresses();
        for (int i = 0; i < direct.size() && i < MAX_ADDRESSES; i++) {
            String value = NodeAddress.direct(address.nodeId(), direct.get(i)).toText();
            value = value.substring(value.indexOf('@') + 1);
            int entry = 1 + ("a" + i + "=" + value).length();
            if (size + entry > MAX_TXT_BYTES) {
                break;
            }
            txt.put("a" + i, value);
            size += entry;
        }
        return txt;
    }

    /** The wire size of TXT entries: one length byte plus {@code key=value} each. */
    static int size(Map<String, String> txt) {
        int size = 0;
        for (var e : txt.entrySet()) {
            size += 1 + e.getKey().length() + 1 + e.getValue().length();
        }
        return size;
    }

    /** The TXT entries as DNS wire bytes (length-prefixed strings). */
    static byte[] wire(Map<String, String> txt) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (var e : txt.entrySet()) {
            byte[] entry = (e.getKey() + "=" + e.getValue()).getBytes(StandardCharsets.US_ASCII);
            out.write(entry.length);
            out.writeBytes(entry);
        }
        return out.toByteArray();
    }

    /** What reading a received record gave: a record, or why not. */
    sealed interface Decoded {
    }

    /** A record, with the sender's refresh promise if it made one. */
    record Accepted(MdnsRecord record, Optional<Refresh> refresh) implements Decoded {
        Accepted(MdnsRecord record) {
            this(record, Optional.empty());
        }
    }

    record Rejected(Rejection reason, String detail) implements Decoded {
    }

    /**
     * Reads a received record strictly. Never throws for any input: every defect is a
     * {@link Rejected} with its reason.
     *
     * @param instanceName the DNS-SD instance name (without the service type)
     * @param text the raw TXT rdata: length-prefixed strings
     */
    static Decoded decode(String instanceName, byte[] text) {
        if (text == null || text.length == 0 || text.length == 1 && text[0] == 0) {
            return new Rejected(Rejection.INCOMPLETE, "no TXT entries");
        }
        if (text.length > MAX_RECEIVED_TXT_BYTES) {
            return new Rejected(Rejection.OVERSIZED_OR_TRUNCATED, "TXT of " + text.length + " bytes");
        }
        Map<String, String> entries = new LinkedHashMap<>();
        int i = 0;
        while (i < text.length) {
            int length = text[i] & 0xFF;
            if (i + 1 + length > text.length) {
                return new Rejected(Rejection.OVERSIZED_OR_TRUNCATED, "TXT entry at byte " + i + " runs past the end");
            }
            for (int j = i + 1; j < i + 1 + length; j++) {
                if (text[j] < 0x20 || text[j] > 0x7E) {
                    return new Rejected(Rejection.NOT_ASCII, "TXT entry at byte " + i + " holds byte " + (text[j] & 0xFF));
                }
            }
            String entry = new String(text, i + 1, length, StandardCharsets.US_ASCII);
            i += 1 + length;
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                continue; // an empty string or a boolean attribute: not ours, ignored (RFC 6763 §6.4)
            }
            // keys are case-insensitive and only the first occurrence counts (RFC 6763 §6.4)
            entries.putIfAbsent(entry.substring(0, eq).toLowerCase(Locale.ROOT), entry.substring(eq + 1));
        }
        String id = entries.get("id");
        if (id == null) {
            return new Rejected(Rejection.INCOMPLETE, "no id= entry");
        }
        String version = entries.get("v");
        if (!VERSION.equals(version)) {
            return new Rejected(Rejection.UNSUPPORTED_VERSION, "v=" + version);
        }
        if (!HEX64.matcher(id).matches()) {
            return new Rejected(Rejection.BAD_NODE_ID, "id= is not 64 lowercase hex characters");
        }
        PublicKey nodeId = PublicKey.fromHex(id);
        if (nodeId.isWeak()) {
            return new Rejected(Rejection.BAD_NODE_ID, "id= is a public key of small order");
        }
        String net = entries.get("net");
        if (net == null || !HEX64.matcher(net).matches()) {
            return new Rejected(Rejection.BAD_NETWORK_ID, "net= is not 64 lowercase hex characters");
        }
        if (!instanceName(nodeId).equals(instanceName)) {
            return new Rejected(Rejection.NAME_MISMATCH, "instance name is not the z-base-32 form of id=");
        }
        String r = entries.get("r");
        String b = entries.get("b");
        Optional<Refresh> refresh = Optional.empty();
        if (r != null || b != null) {
            if (r == null || b == null || !REFRESH_SECONDS.matcher(r).matches() || !BEAT.matcher(b).matches()
                    || Integer.parseInt(r) > MAX_REFRESH_SECONDS) {
                return new Rejected(Rejection.BAD_REFRESH, "r=" + r + " b=" + b + ": r must be 1.." + MAX_REFRESH_SECONDS
                        + " seconds and b 1 to 8 lowercase hex digits, both or neither");
            }
            refresh = Optional.of(new Refresh(Integer.parseInt(r), Long.parseLong(b, 16)));
        }
        List<String> direct = new ArrayList<>();
        for (var e : entries.entrySet()) {
            String key = e.getKey();
            if (key.length() >= 2 && key.charAt(0) == 'a' && key.chars().skip(1).allMatch(Character::isDigit)) {
                if (direct.size() == MAX_ADDRESSES) {
                    return new Rejected(Rejection.BAD_ADDRESS, "more than " + MAX_ADDRESSES + " addresses");
                }
                direct.add(e.getValue());
            }
        }
        String relay = entries.get("relay");
        if (direct.isEmpty() && relay == null) {
            return new Rejected(Rejection.NO_ADDRESS, "no a<n>= entry and no relay=");
        }
        StringBuilder text2 = new StringBuilder(id).append('@').append(String.join(",", direct));
        if (relay != null) {
            text2.append(";relay=").append(relay);
        }
        NodeAddress address;
        try {
            // the api's parser: IP literals only (no DNS lookup), ports 1..65535, no duplicates
            address = NodeAddress.parse(text2.toString());
        } catch (IllegalArgumentException e) {
            return new Rejected(Rejection.BAD_ADDRESS, e.getMessage());
        }
        return new Accepted(new MdnsRecord(address, NetworkId.fromHex(net)), refresh);
    }
}
