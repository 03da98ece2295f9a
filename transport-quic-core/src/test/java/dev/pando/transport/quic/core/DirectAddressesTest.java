package dev.pando.transport.quic.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirectAddressesTest {
    private static InetSocketAddress at(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void dialOrderInterleavesTheFamiliesStartingWithTheFirst() throws Exception {
        List<InetSocketAddress> given = List.of(at("10.0.0.1", 1), at("10.0.0.2", 2), at("10.0.0.3", 3),
                at("2001:db8::1", 4), at("2001:db8::2", 5));
        assertThat(DirectAddresses.dialOrder(given)).containsExactly(at("10.0.0.1", 1), at("2001:db8::1", 4),
                at("10.0.0.2", 2), at("2001:db8::2", 5), at("10.0.0.3", 3));
        List<InetSocketAddress> v6First = List.of(at("::1", 9), at("127.0.0.1", 9));
        assertThat(DirectAddresses.dialOrder(v6First)).containsExactly(at("::1", 9), at("127.0.0.1", 9));
        assertThat(DirectAddresses.dialOrder(List.of())).isEmpty();
    }

    @Test
    void scopeIsDroppedWhereItIsNotNeeded() throws Exception {
        InetSocketAddress scopedLoopback = new InetSocketAddress(Inet6Address.getByAddress(null,
                InetAddress.getByName("::1").getAddress(), 1), 7);
        assertThat(((Inet6Address) scopedLoopback.getAddress()).getScopeId()).isEqualTo(1);
        InetSocketAddress plain = DirectAddresses.unscoped(scopedLoopback);
        assertThat(((Inet6Address) plain.getAddress()).getScopeId()).isZero();
        assertThat(plain).isEqualTo(at("::1", 7));

        InetSocketAddress linkLocal = new InetSocketAddress(Inet6Address.getByAddress(null,
                InetAddress.getByName("fe80::1").getAddress(), 1), 7);
        assertThat(DirectAddresses.unscoped(linkLocal)).isSameAs(linkLocal);
    }

    @Test
    void aWildcardBindAdvertisesNoScopedAndNoLinkLocalAddress() throws Exception {
        for (InetSocketAddress a : DirectAddresses.advertised(at("::", 4433))) {
            assertThat(a.getPort()).isEqualTo(4433);
            assertThat(a.getAddress().isLinkLocalAddress()).as("%s", a).isFalse();
            if (a.getAddress() instanceof Inet6Address v6) {
                assertThat(v6.getScopeId()).as("scope of %s", a).isZero();
                assertThat(v6.getScopedInterface()).as("scope of %s", a).isNull();
            }
        }
        assertThat(DirectAddresses.advertised(at("0.0.0.0", 1)))
                .allMatch(a -> !(a.getAddress() instanceof Inet6Address));
        assertThat(DirectAddresses.advertised(at("127.0.0.1", 5))).containsExactly(at("127.0.0.1", 5));
    }

    @Test
    void aWildcardBindAdvertisesLoopbackOnlyWhenThereIsNothingElse() throws Exception {
        boolean otherInterface = false;
        for (java.net.NetworkInterface nif : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
                otherInterface |= nif.isUp() && a instanceof java.net.Inet4Address && !a.isLoopbackAddress()
                        && !a.isLinkLocalAddress();
            }
        }
        java.util.List<InetSocketAddress> advertised = DirectAddresses.advertised(at("0.0.0.0", 9));
        if (otherInterface) {
            assertThat(advertised).isNotEmpty().noneMatch(a -> a.getAddress().isLoopbackAddress());
        } else {
            assertThat(advertised).containsExactly(at("127.0.0.1", 9));
        }
    }

    @Test
    void familiesAndLoopbackLimitWhatASocketReaches() throws Exception {
        assertThat(DirectAddresses.unreachableFrom(at("127.0.0.1", 0), at("::1", 1))).contains("IPv6");
        assertThat(DirectAddresses.unreachableFrom(at("0.0.0.0", 0), at("::1", 1))).contains("IPv6");
        assertThat(DirectAddresses.unreachableFrom(at("::1", 0), at("127.0.0.1", 1))).contains("IPv4");
        assertThat(DirectAddresses.unreachableFrom(at("127.0.0.1", 0), at("10.0.0.1", 1))).contains("loopback");
        assertThat(DirectAddresses.unreachableFrom(at("::", 0), at("127.0.0.1", 1))).isNull();
        assertThat(DirectAddresses.unreachableFrom(at("::", 0), at("::1", 1))).isNull();
        assertThat(DirectAddresses.unreachableFrom(at("0.0.0.0", 0), at("10.0.0.1", 1))).isNull();
        assertThat(DirectAddresses.unreachableFrom(at("127.0.0.1", 0), at("127.0.0.1", 1))).isNull();
    }
}
