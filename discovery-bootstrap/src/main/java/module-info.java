/**
 * {@link dev.pando.spi.DiscoveryProvider} "bootstrap": configured bootstrap peers (which may be
 * named by node id and relay URL alone), and a peer exchange of address records signed by their
 * owners, spread by a small random walk. Exports nothing; found with {@link java.util.ServiceLoader}.
 */
module dev.pando.discovery.bootstrap {
    requires dev.pando.api;

    provides dev.pando.spi.DiscoveryProvider with dev.pando.discovery.bootstrap.BootstrapDiscoveryProvider;
}
