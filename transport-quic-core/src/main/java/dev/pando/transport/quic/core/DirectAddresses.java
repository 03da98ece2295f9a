package dev.pando.transport.quic.core;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;

/**
 * What a transport advertises as its direct addresses and in which order it dials a peer's: the
 * two address rules every transport must share, so that an address a node prints works when it is
 * dialled, and a peer reachable on any of its addresses is reached.
 */
public final class DirectAddresses {
    private DirectAddresses() {
    }

    /**
     * The addresses to advertise for a socket bound to {@code bound}: the bound address itself, or
     * for a wildcard bind the addresses of every interface that is up (IPv4 only for {@code
     * 0.0.0.0}), without link-local addresses, and without an interface scope on any address that
     * does not need one ({@code ::1}, not {@code ::1%lo}), and without loopback addresses unless
     * there is nothing else. Never empty: loopback if nothing else.
     */
    public static List<InetSocketAddress> advertised(InetSocketAddress bound) {
        if (!bound.getAddress().isAnyLocalAddress()) {
            return List.of(unscoped(bound));
        }
        boolean v4Only = bound.getAddress() instanceof Inet4Address;
        List<InetSocketAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if ((!v4Only || a instanceof Inet4Address) && !a.isLinkLocalAddress()) {
                        InetSocketAddress s = unscoped(new InetSocketAddress(a, bound.getPort()));
                        if (!out.contains(s)) {
                            out.add(s);
                        }
                    }
                }
            }
        } catch (SocketException e) {
            // no interface list: fall back to loopback below
        }
        // loopback only when there is nothing else: on another host it names that host, and a peer
        // on this host reaches the node at its interface addresses too
        if (out.stream().anyMatch(a -> !a.getAddress().isLoopbackAddress())) {
            out.removeIf(a -> a.getAddress().isLoopbackAddress());
        }
        if (out.isEmpty()) {
            out.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), bound.getPort()));
        }
        return List.copyOf(out);
    }

    /** The address without its IPv6 scope, unless it is link-local (where the scope is needed). */
    public static InetSocketAddress unscoped(InetSocketAddress a) {
        if (a.getAddress() instanceof Inet6Address v6 && !v6.isLinkLocalAddress()
                && (v6.getScopeId() != 0 || v6.getScopedInterface() != null)) {
            try {
                return new InetSocketAddress(InetAddress.getByAddress(v6.getAddress()), a.getPort());
            } catch (UnknownHostException e) {
                throw new IllegalStateException("16 bytes are always an IPv6 address", e);
            }
        }
        return a;
    }

    /**
     * The order in which to try a peer's direct addresses (Happy Eyeballs, RFC 8305 section 4):
     * the peer's own order within each family, the families interleaved, starting with the
     * family of the peer's first address.
     */
    public static List<InetSocketAddress> dialOrder(List<InetSocketAddress> addresses) {
        if (addresses.size() < 2) {
            return List.copyOf(addresses);
        }
        boolean firstIsV6 = addresses.get(0).getAddress() instanceof Inet6Address;
        Deque<InetSocketAddress> first = new ArrayDeque<>();
        Deque<InetSocketAddress> second = new ArrayDeque<>();
        for (InetSocketAddress a : addresses) {
            ((a.getAddress() instanceof Inet6Address) == firstIsV6 ? first : second).add(a);
        }
        List<InetSocketAddress> out = new ArrayList<>(addresses.size());
        while (!first.isEmpty() || !second.isEmpty()) {
            if (!first.isEmpty()) {
                out.add(first.poll());
            }
            if (!second.isEmpty()) {
                out.add(second.poll());
            }
        }
        return List.copyOf(out);
    }

    /**
     * Why a socket bound to {@code local} cannot send to {@code target}, or null if it can: an IPv4
     * socket cannot reach an IPv6 address, a socket bound to one IPv6 address cannot reach IPv4,
     * and a socket bound to a loopback address cannot reach another host.
     */
    public static String unreachableFrom(InetSocketAddress local, InetSocketAddress target) {
        InetAddress l = local.getAddress();
        InetAddress t = target.getAddress();
        if (l instanceof Inet4Address && t instanceof Inet6Address) {
            return "an IPv6 address cannot be reached from a socket bound to IPv4 " + l.getHostAddress();
        }
        if (l instanceof Inet6Address && !l.isAnyLocalAddress() && t instanceof Inet4Address) {
            return "an IPv4 address cannot be reached from a socket bound to IPv6 " + l.getHostAddress();
        }
        if (l.isLoopbackAddress() && !t.isLoopbackAddress()) {
            return "a socket bound to loopback " + l.getHostAddress() + " cannot reach another host";
        }
        return null;
    }
}
