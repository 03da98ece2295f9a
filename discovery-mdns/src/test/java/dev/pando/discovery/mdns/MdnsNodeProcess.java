package dev.pando.discovery.mdns;

import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PublicKey;
import dev.pando.spi.DiscoveryContext;
import dev.pando.spi.DiscoveryEvent;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One mdns discovery in its own JVM, run by the tests inside a network namespace
 * ({@code ip netns exec NS java … -m dev.pando.discovery.mdns/dev.pando.discovery.mdns.MdnsNodeProcess}):
 * a JVM cannot move its own threads between namespaces, so each node of a test is a process.
 *
 * <p>Arguments: node id hex, network id hex, then {@code key=value} provider options. Commands on
 * stdin, one a line: {@code start <address>…}, {@code change <address>…} (addresses in
 * {@link NodeAddress} text form), {@code close}, {@code stats}. Each gets one reply line on stdout;
 * events are lines too. Every line is one flat JSON object:
 * <pre>
 *   {"event":"PeerDiscovered","address":"…","source":"mdns"}   {"event":"PeerLost","node":"…","source":"mdns"}
 *   {"reply":"start","ok":"true"}   {"reply":"start","ok":"false","error":"IllegalStateException","message":"…"}
 *   {"reply":"stats","ok":"true","heap_used":"…","peers":"…","threads":"…","non_daemon_threads":"…","RECORDS_READ":"…",…}
 * </pre>
 * At the end of stdin {@code main} returns without closing the discovery: the JVM must then exit
 * by itself, which it does only if no jmdns thread is a non-daemon.
 */
public final class MdnsNodeProcess {
    private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

    private MdnsNodeProcess() {
    }

    public static void main(String[] args) throws Exception {
        PublicKey nodeId = PublicKey.fromHex(args[0]);
        NetworkId networkId = NetworkId.fromHex(args[1]);
        Map<String, String> options = new TreeMap<>();
        for (int i = 2; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            options.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        Object lock = new Object();
        MdnsDiscovery discovery = (MdnsDiscovery) new MdnsDiscoveryProvider().create(new DiscoveryContext(nodeId, networkId,
                ProviderOptions.of(options), NodeServices.system().withEvents(event -> {
                    Map<String, String> line = new TreeMap<>();
                    if (event instanceof DiscoveryEvent.PeerDiscovered d) {
                        line.put("event", "PeerDiscovered");
                        line.put("address", d.address().toText());
                        line.put("source", d.source());
                    } else if (event instanceof DiscoveryEvent.PeerLost l) {
                        line.put("event", "PeerLost");
                        line.put("node", l.nodeId().hex());
                        line.put("source", l.source());
                    }
                    synchronized (lock) {
                        OUT.println(json(line));
                    }
                })));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String command;
        while ((command = in.readLine()) != null) {
            String[] words = command.trim().split(" ");
            Map<String, String> reply = new TreeMap<>();
            reply.put("reply", words[0]);
            try {
                switch (words[0]) {
                    case "start" -> discovery.start(addresses(words));
                    case "change" -> discovery.addressesChanged(addresses(words));
                    case "close" -> discovery.close();
                    case "stats" -> stats(discovery, reply);
                    default -> throw new IllegalArgumentException("unknown command " + words[0]);
                }
                reply.put("ok", "true");
            } catch (RuntimeException e) {
                reply.put("ok", "false");
                reply.put("error", e.getClass().getSimpleName());
                reply.put("message", String.valueOf(e.getMessage()));
            }
            synchronized (lock) {
                OUT.println(json(reply));
            }
        }
        // end of stdin: return without close(); only daemon threads may be left
    }

    private static List<NodeAddress> addresses(String[] words) {
        List<NodeAddress> result = new ArrayList<>();
        for (int i = 1; i < words.length; i++) {
            result.add(NodeAddress.parse(words[i]));
        }
        return result;
    }

    private static void stats(MdnsDiscovery discovery, Map<String, String> reply) {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        System.gc();
        reply.put("heap_used", Long.toString(rt.totalMemory() - rt.freeMemory()));
        reply.put("peers", Integer.toString(discovery.peerCount()));
        int threads = 0;
        int nonDaemon = 0;
        String host = discovery.hostName().orElse("\u0000");
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && (t.getName().contains(host) || t.getName().contains("JmDNS") || t.getName().startsWith("SocketListener"))) {
                threads++;
                if (!t.isDaemon()) {
                    nonDaemon++;
                }
            }
        }
        reply.put("threads", Integer.toString(threads));
        reply.put("non_daemon_threads", Integer.toString(nonDaemon));
        discovery.counters().forEach((k, v) -> reply.put(k, Long.toString(v)));
    }

    static String json(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder("{");
        for (var e : fields.entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(escape(e.getKey())).append("\":\"").append(escape(e.getValue())).append('"');
        }
        return sb.append('}').toString();
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Reads a line written by {@link #json}: a flat object of string values. */
    static Map<String, String> parse(String line) {
        Map<String, String> result = new TreeMap<>();
        int i = line.indexOf('{') + 1;
        while (i > 0 && i < line.length()) {
            int ks = line.indexOf('"', i);
            if (ks < 0) {
                break;
            }
            StringBuilder key = new StringBuilder();
            int k = readString(line, ks + 1, key);
            int vs = line.indexOf('"', k + 1);
            StringBuilder value = new StringBuilder();
            i = readString(line, vs + 1, value) + 1;
            result.put(key.toString(), value.toString());
        }
        return result;
    }

    private static int readString(String s, int from, StringBuilder into) {
        int i = from;
        while (s.charAt(i) != '"') {
            char c = s.charAt(i);
            if (c == '\\') {
                char n = s.charAt(i + 1);
                if (n == 'u') {
                    into.append((char) Integer.parseInt(s.substring(i + 2, i + 6), 16));
                    i += 6;
                } else {
                    into.append(n);
                    i += 2;
                }
            } else {
                into.append(c);
                i++;
            }
        }
        return i;
    }
}
