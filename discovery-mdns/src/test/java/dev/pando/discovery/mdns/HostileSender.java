package dev.pando.discovery.mdns;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * A raw mDNS sender for the hostile-records test, run as its own JVM inside a namespace (class path:
 * the test classes only). It multicasts hand-built DNS responses (RFC 1035 §4, RFC 6762) from port
 * 5353 to 224.0.0.251: fake nodes with valid-looking records, every kind of malformed record, and
 * random bytes. Arguments: interface name, network id hex, fake node count, TTL in seconds, then
 * {@code valid}, {@code malformed}, {@code garbage} and/or {@code beat=SEED/R/B}: the one fake node
 * that seed makes (the same records for the same seed), promising refresh {@code r=R} with beat
 * {@code b=B}. Prints one JSON line with what it sent.
 */
public final class HostileSender {
    private static final InetSocketAddress GROUP = new InetSocketAddress("224.0.0.251", 5353);
    private static final String TYPE = "_pando._udp.local";
    /** The malformed kinds, in the order sent round-robin. */
    static final List<String> MALFORMED_KINDS = List.of("short_id", "non_hex_id", "bad_net", "name_mismatch", "bad_address",
            "no_address", "bad_version", "not_ascii", "oversized", "too_many_addresses", "truncated_txt", "other_network",
            "bad_refresh");

    private HostileSender() {
    }

    public static void main(String[] args) throws Exception {
        NetworkInterface ni = NetworkInterface.getByName(args[0]);
        String net = args[1];
        int count = Integer.parseInt(args[2]);
        int ttl = Integer.parseInt(args[3]);
        Random random = new Random(System.nanoTime()); // fresh ids each run: a node may have cached earlier ones
        int sent = 0;
        try (MulticastSocket socket = new MulticastSocket(5353)) {
            socket.setNetworkInterface(ni);
            socket.setTimeToLive(255);
            // the kinds interleaved, so that a datagram dropped by a full receive buffer is as likely
            // to be of any kind; paced at one round per 2 ms for the same reason
            for (int i = 0; i < count; i++) {
                for (int a = 4; a < args.length; a++) {
                    byte[] packet = switch (args[a]) {
                        case "valid" -> fakeNode(random, net, ttl, null);
                        case "malformed" -> fakeNode(random, net, ttl, MALFORMED_KINDS.get(i % MALFORMED_KINDS.size()));
                        case "garbage" -> garbage(random);
                        default -> {
                            if (!args[a].startsWith("beat=")) {
                                throw new IllegalArgumentException(args[a]);
                            }
                            String[] beat = args[a].substring(5).split("/");
                            yield fakeNode(new Random(Long.parseLong(beat[0])), net, ttl, null, Map.of("r", beat[1], "b", beat[2]));
                        }
                    };
                    socket.send(new DatagramPacket(packet, packet.length, GROUP));
                    sent++;
                }
                LockSupport.parkNanos(2_000_000);
            }
        }
        System.out.println("{\"sent\":\"" + sent + "\"}");
    }

    /** A response announcing one fake node: PTR, SRV, TXT and A, malformed as {@code kind} says (null: valid). */
    static byte[] fakeNode(Random random, String net, int ttl, String kind) {
        return fakeNode(random, net, ttl, kind, Map.of());
    }

    /** As {@link #fakeNode(Random, String, int, String)}, with {@code extra} TXT entries after {@code id=}. */
    static byte[] fakeNode(Random random, String net, int ttl, String kind, Map<String, String> extra) {
        byte[] id = new byte[32];
        random.nextBytes(id);
        String idHex = HexFormat.of().formatHex(id);
        String instance = ZBase32.encode(id);
        Map<String, String> txt = new LinkedHashMap<>();
        txt.put("v", "1");
        txt.put("net", net);
        txt.put("id", idHex);
        txt.putAll(new java.util.TreeMap<>(extra));
        txt.put("a0", "10.77.0." + (10 + random.nextInt(200)) + ":" + (1024 + random.nextInt(60000)));
        byte[] rawTxt = null;
        if (kind != null) {
            switch (kind) {
                case "short_id" -> txt.put("id", idHex.substring(1));
                case "non_hex_id" -> txt.put("id", "zz" + idHex.substring(2));
                case "bad_net" -> txt.put("net", "nope");
                case "name_mismatch" -> instance = ZBase32.encode(new byte[] {1, 2, 3}) + instance.substring(5);
                case "bad_address" -> txt.put("a0", "999.1.1.1:5");
                case "no_address" -> txt.remove("a0");
                case "bad_version" -> txt.put("v", "9");
                case "not_ascii" -> rawTxt = withByte(MdnsRecord.wire(txt), (byte) 0xC3);
                case "oversized" -> {
                    for (int i = 0; i < 6; i++) {
                        txt.put("x" + i, "y".repeat(240));
                    }
                }
                case "too_many_addresses" -> {
                    for (int i = 0; i < 17; i++) {
                        txt.put("a" + i, "10.77.1." + (i + 1) + ":4433");
                    }
                }
                case "truncated_txt" -> {
                    byte[] w = MdnsRecord.wire(txt);
                    rawTxt = new byte[w.length + 1];
                    System.arraycopy(w, 0, rawTxt, 0, w.length);
                    rawTxt[w.length] = (byte) 200; // a string length running past the end
                }
                case "other_network" -> txt.put("net", "ab".repeat(32));
                case "bad_refresh" -> {
                    txt.put("r", "0"); // out of range, so that a receiver never expires the node on it
                    txt.put("b", "1");
                }
                default -> throw new IllegalArgumentException(kind);
            }
        }
        if (rawTxt == null) {
            rawTxt = MdnsRecord.wire(txt);
        }
        String instanceName = instance + "." + TYPE;
        String host = "h" + Integer.toHexString(random.nextInt()) + ".local";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // header: id 0, flags QR|AA, 0 questions, 4 answers
        writeShort(out, 0);
        writeShort(out, 0x8400);
        writeShort(out, 0);
        writeShort(out, 4);
        writeShort(out, 0);
        writeShort(out, 0);
        record(out, TYPE, 12, 1, ttl, name(instanceName));
        ByteArrayOutputStream srv = new ByteArrayOutputStream();
        writeShort(srv, 0);
        writeShort(srv, 0);
        writeShort(srv, 4433);
        srv.writeBytes(name(host));
        record(out, instanceName, 33, 0x8001, ttl, srv.toByteArray());
        record(out, instanceName, 16, 0x8001, ttl, rawTxt);
        record(out, host, 1, 0x8001, ttl, new byte[] {10, 77, 0, (byte) (10 + random.nextInt(200))});
        return out.toByteArray();
    }

    private static byte[] withByte(byte[] wire, byte b) {
        byte[] copy = wire.clone();
        copy[copy.length - 1] = b;
        return copy;
    }

    static byte[] garbage(Random random) {
        byte[] b = new byte[12 + random.nextInt(600)];
        random.nextBytes(b);
        b[2] = (byte) 0x84; // looks like a response
        return b;
    }

    private static void record(ByteArrayOutputStream out, String owner, int type, int clazz, int ttl, byte[] rdata) {
        out.writeBytes(name(owner));
        writeShort(out, type);
        writeShort(out, clazz);
        writeShort(out, ttl >>> 16);
        writeShort(out, ttl & 0xFFFF);
        writeShort(out, rdata.length);
        out.writeBytes(rdata);
    }

    private static byte[] name(String dotted) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String label : dotted.split("\\.")) {
            byte[] l = label.getBytes(StandardCharsets.UTF_8);
            out.write(l.length);
            out.writeBytes(l);
        }
        out.write(0);
        return out.toByteArray();
    }

    private static void writeShort(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8 & 0xFF);
        out.write(v & 0xFF);
    }
}
