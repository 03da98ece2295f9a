/**
 * {@link dev.pando.spi.DiscoveryProvider} "mdns": nodes on the local network announce themselves
 * and find each other with multicast DNS (RFC 6762) and DNS-SD (RFC 6763), through jmdns. Exports
 * nothing; found with {@link java.util.ServiceLoader}.
 */
module dev.pando.discovery.mdns {
    requires dev.pando.api;
    requires javax.jmdns;

    provides dev.pando.spi.DiscoveryProvider with dev.pando.discovery.mdns.MdnsDiscoveryProvider;
}
