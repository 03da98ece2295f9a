package dev.pando.discovery.mdns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pando.ConfigurationException;
import dev.pando.NetworkId;
import dev.pando.NodeAddress;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.spi.Discovery;
import dev.pando.spi.DiscoveryContext;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Everything that needs no network: names, options, lifecycle errors. Nothing here opens a socket. */
class MdnsDiscoveryProviderTest {
    private final PublicKey id = PrivateKey.generate().publicKey();

    private Discovery create(ProviderOptions options) {
        return new MdnsDiscoveryProvider().create(new DiscoveryContext(id, NetworkId.DEFAULT, options, NodeServices.system()));
    }

    @Test
    void nameAndOptionKeys() {
        assertThat(new MdnsDiscoveryProvider().name()).isEqualTo("mdns");
        assertThat(new MdnsDiscoveryProvider().optionKeys()).containsExactlyInAnyOrder("mode", "interfaces", "max_peers", "refresh_interval");
    }

    @Test
    void isRegisteredForTheClassPathToo() throws IOException {
        try (InputStream in = MdnsDiscoveryProvider.class.getResourceAsStream("/META-INF/services/dev.pando.spi.DiscoveryProvider")) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim()).isEqualTo(MdnsDiscoveryProvider.class.getName());
        }
        assertThat(MdnsDiscoveryProvider.class.getModule().getDescriptor().provides())
                .anySatisfy(p -> assertThat(p.providers()).containsExactly(MdnsDiscoveryProvider.class.getName()));
    }

    @Test
    void optionsAreParsed() {
        MdnsOptions o = MdnsOptions.parse(ProviderOptions.of("mode", "Passive", "interfaces", " eth0, wlan0 ,", "max_peers", "10",
                "refresh_interval", "2m"));
        assertThat(o).isEqualTo(new MdnsOptions(false, List.of("eth0", "wlan0"), 10, Duration.ofMinutes(2)));
        assertThat(MdnsOptions.parse(ProviderOptions.empty())).isEqualTo(new MdnsOptions(true, List.of(), 256, Duration.ofSeconds(20)));
    }

    @Test
    void badOptionsFailAtCreateNamingTheKey() {
        assertThatThrownBy(() -> create(ProviderOptions.of("mode", "loud"))).isInstanceOf(ConfigurationException.class).hasMessageContaining("mode");
        assertThatThrownBy(() -> create(ProviderOptions.of("max_peers", "0"))).isInstanceOf(ConfigurationException.class).hasMessageContaining("max_peers");
        assertThatThrownBy(() -> create(ProviderOptions.of("max_peers", "many"))).isInstanceOf(ConfigurationException.class).hasMessageContaining("max_peers");
        assertThatThrownBy(() -> create(ProviderOptions.of("interfaces", "eth0,eth0"))).isInstanceOf(ConfigurationException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> create(ProviderOptions.of("ttl", "20"))).isInstanceOf(ConfigurationException.class).hasMessageContaining("ttl");
        for (String bad : List.of("0", "500ms", "1500ms", "61m", "-5s", "soon")) {
            assertThatThrownBy(() -> create(ProviderOptions.of("refresh_interval", bad))).as(bad)
                    .isInstanceOf(ConfigurationException.class).hasMessageContaining("refresh_interval");
        }
    }

    @Test
    void aMissingInterfaceFailsStartAndLeavesTheDiscoveryClosed() {
        Discovery d = create(ProviderOptions.of("interfaces", "pando-none0"));
        NodeAddress own = NodeAddress.direct(id, new InetSocketAddress("10.0.0.1", 4433));
        assertThatThrownBy(() -> d.start(List.of(own))).isInstanceOf(ConfigurationException.class).hasMessageContaining("pando-none0");
        assertThatThrownBy(() -> d.start(List.of(own))).isInstanceOf(IllegalStateException.class);
        d.close();
        d.close();
    }

    @Test
    void addressesChangedBeforeStartFails() {
        Discovery d = create(ProviderOptions.empty());
        assertThatThrownBy(() -> d.addressesChanged(List.of())).isInstanceOf(IllegalStateException.class);
        d.close();
        d.addressesChanged(List.of()); // after close: ignored, the node may race with it
    }
}
