package dev.pando.discovery.bootstrap;

import dev.pando.ConfigurationException;
import dev.pando.spi.Discovery;
import dev.pando.spi.DiscoveryContext;
import dev.pando.spi.DiscoveryProvider;
import java.util.Set;

/**
 * Provider "bootstrap": configured bootstrap peers and a peer exchange of signed address records
 * (see the module README). Needs the node's transport and signer in the context; registers its
 * protocol's accept handler on the transport in {@link #create} (no I/O).
 */
public final class BootstrapDiscoveryProvider implements DiscoveryProvider {
    /** The provider's name, also the source of its events. */
    public static final String NAME = "bootstrap";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> optionKeys() {
        return BootstrapOptions.KEYS;
    }

    @Override
    public Discovery create(DiscoveryContext context) {
        BootstrapOptions options = BootstrapOptions.read(context.options());
        if (context.transport().isEmpty() || context.signer().isEmpty()) {
            throw new ConfigurationException("discovery \"bootstrap\" exchanges signed records with peers: it needs the node's "
                    + "transport and signer in its DiscoveryContext (Node passes both)");
        }
        return new BootstrapDiscovery(context, options);
    }
}
