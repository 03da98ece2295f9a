package dev.pando.discovery.mdns;

import dev.pando.spi.Discovery;
import dev.pando.spi.DiscoveryContext;
import dev.pando.spi.DiscoveryProvider;
import java.util.Set;

/**
 * {@link DiscoveryProvider} "mdns": finds nodes of the same network on the local network with
 * multicast DNS, and (in mode {@code active}, the default) announces this node there. Options:
 * {@code mode} ({@code active} or {@code passive}), {@code interfaces} (comma-separated names; by
 * default every interface that is up, multicast-capable and not loopback), {@code max_peers}
 * (default 256) and {@code refresh_interval} (default 20 s: how often an active node announces a new
 * beat, by which others notice within three intervals that it left without a goodbye). The module
 * README describes the record and what it reveals.
 *
 * <p>Stateless and thread-safe; {@link #create} does no I/O.
 */
public final class MdnsDiscoveryProvider implements DiscoveryProvider {
    static final String NAME = "mdns";

    /** For {@link java.util.ServiceLoader}. */
    public MdnsDiscoveryProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> optionKeys() {
        return MdnsOptions.KEYS;
    }

    /** @throws dev.pando.ConfigurationException for an unknown option key or a bad value */
    @Override
    public Discovery create(DiscoveryContext context) {
        return new MdnsDiscovery(context, MdnsOptions.parse(context.options()), NAME);
    }
}
