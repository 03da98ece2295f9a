package dev.pando.transport.relay;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A snapshot of a {@link RelayServer}'s counters (all since start, except {@code clients}).
 *
 * @param clients          authenticated clients connected now
 * @param connections      TCP connections accepted
 * @param packetsForwarded packets delivered to a receiver's queue
 * @param bytesForwarded   payload bytes of those packets
 * @param drops            packets not forwarded, by reason
 * @param closes           connections the relay closed, by reason
 */
public record RelayMetrics(long clients, long connections, long packetsForwarded, long bytesForwarded,
        Map<Drop, Long> drops, Map<Close, Long> closes) {

    /** Why a packet was not forwarded. */
    public enum Drop {
        /** The destination node is not connected (the sender is told with PEER_GONE). */
        PEER_GONE("peer_gone"),
        /** The receiver's queue is full: a slow receiver loses its own packets. */
        RECEIVER_SLOW("receiver_slow"),
        /** The sender exceeded its rate. */
        RATE_LIMITED("rate_limited");

        final String label;

        Drop(String label) {
            this.label = label;
        }
    }

    /** Why the relay closed a connection. */
    public enum Close {
        /** Bytes that are no HTTP request, no WebSocket frame or no relay message, or a message out of turn. */
        MALFORMED("malformed"),
        /** A WebSocket message larger than the limit. */
        OVERSIZED("oversized"),
        /** A proof of node id that does not verify. */
        AUTH_FAILED("auth_failed"),
        /** No proof of node id in time. */
        AUTH_TIMEOUT("auth_timeout"),
        /** Nothing received for three keep-alive periods. */
        IDLE("idle"),
        /** The same node id connected again. */
        REPLACED("replaced"),
        /** At the maximum number of connections. */
        SERVER_FULL("server_full");

        final String label;

        Close(String label) {
            this.label = label;
        }
    }

    public RelayMetrics {
        drops = Collections.unmodifiableMap(new EnumMap<>(drops));
        closes = Collections.unmodifiableMap(new EnumMap<>(closes));
    }

    /** Total packets dropped. */
    public long dropped() {
        return drops.values().stream().mapToLong(Long::longValue).sum();
    }

    /** The Prometheus text exposition format (version 0.0.4). */
    public String toPrometheus() {
        StringBuilder b = new StringBuilder();
        metric(b, "pando_relay_clients", "gauge", "Authenticated clients connected now.", clients);
        metric(b, "pando_relay_connections_total", "counter", "TCP connections accepted.", connections);
        metric(b, "pando_relay_packets_forwarded_total", "counter", "Packets forwarded to a receiver.", packetsForwarded);
        metric(b, "pando_relay_bytes_forwarded_total", "counter", "Payload bytes forwarded to a receiver.", bytesForwarded);
        b.append("# HELP pando_relay_drops_total Packets not forwarded, by reason.\n# TYPE pando_relay_drops_total counter\n");
        for (Drop d : Drop.values()) {
            b.append("pando_relay_drops_total{reason=\"").append(d.label).append("\"} ").append(drops.getOrDefault(d, 0L)).append('\n');
        }
        b.append("# HELP pando_relay_closes_total Connections the relay closed, by reason.\n# TYPE pando_relay_closes_total counter\n");
        for (Close c : Close.values()) {
            b.append("pando_relay_closes_total{reason=\"").append(c.label).append("\"} ").append(closes.getOrDefault(c, 0L)).append('\n');
        }
        return b.toString();
    }

    private static void metric(StringBuilder b, String name, String type, String help, long value) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n')
                .append("# TYPE ").append(name).append(' ').append(type).append('\n')
                .append(name).append(' ').append(value).append('\n');
    }
}
