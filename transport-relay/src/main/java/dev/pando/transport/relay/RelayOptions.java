package dev.pando.transport.relay;

import dev.pando.ConfigurationException;
import dev.pando.spi.ProviderOptions;
import dev.pando.transport.quic.core.QuicOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The options of the "relay" provider: {@code relay_url} (required: the home relay, {@code http://}
 * or {@code https://}), {@code relay_ca_file} (optional: a PEM certificate to trust for an
 * {@code https} relay, e.g. a self-signed one; default: the JDK's trust store), and the QUIC
 * options of transport-quic-core except {@code bind} (no UDP socket is bound).
 */
record RelayOptions(URI relayUrl, Optional<Path> caFile, QuicOptions quic) {
    static final String RELAY_URL = "relay_url";
    static final String RELAY_CA_FILE = "relay_ca_file";
    static final List<String> KEYS;

    static {
        List<String> keys = new ArrayList<>(List.of(RELAY_URL, RELAY_CA_FILE));
        QuicOptions.KEYS.stream().filter(k -> !k.equals("bind")).forEach(keys::add);
        KEYS = List.copyOf(keys);
    }

    static RelayOptions parse(ProviderOptions o) {
        Map<String, String> quic = new HashMap<>();
        for (Map.Entry<String, String> e : o.asMap().entrySet()) {
            if (!KEYS.contains(e.getKey())) {
                throw new ConfigurationException("unknown relay transport option " + e.getKey() + "; the known options are "
                        + String.join(", ", new TreeSet<>(KEYS)));
            }
            if (!e.getKey().startsWith("relay_")) {
                quic.put(e.getKey(), e.getValue());
            }
        }
        String url = o.string(RELAY_URL).orElseThrow(() -> new ConfigurationException(
                "the relay transport needs option " + RELAY_URL + " (the home relay, e.g. http://127.0.0.1:3340/)"));
        return new RelayOptions(relayUrl(url), o.string(RELAY_CA_FILE).map(Path::of), QuicOptions.parse(ProviderOptions.of(quic)));
    }

    static URI relayUrl(String text) {
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigurationException("option " + RELAY_URL + " is not a URL: " + text, e);
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
            throw new ConfigurationException("option " + RELAY_URL + " must be an http:// or https:// URL with a host, got " + text);
        }
        return normalize(u);
    }

    /** Scheme and host lowercase, the default port explicit, path "/": two spellings of one relay compare equal. */
    static URI normalize(URI u) {
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        int port = u.getPort() >= 0 ? u.getPort() : scheme.equals("https") ? 443 : 80;
        String host = u.getHost().toLowerCase(Locale.ROOT);
        return URI.create(scheme + "://" + host + ":" + port + "/");
    }

    boolean tls() {
        return relayUrl.getScheme().equals("https");
    }
}
