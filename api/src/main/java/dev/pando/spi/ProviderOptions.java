package dev.pando.spi;

import dev.pando.ConfigurationException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Read-only settings scoped to one provider (the node hands each provider the options configured
 * under its name). Typed getters fail with a {@link ConfigurationException} naming the key when a
 * value does not parse. Immutable and thread-safe.
 */
public final class ProviderOptions {
    private static final ProviderOptions EMPTY = new ProviderOptions(Map.of());
    // literals only, so that InetAddress.getByName never turns into a DNS lookup
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(%[\\w.-]+)?");

    private final Map<String, String> values;

    private ProviderOptions(Map<String, String> values) {
        this.values = values;
    }

    public static ProviderOptions of(Map<String, String> values) {
        return values.isEmpty() ? EMPTY : new ProviderOptions(Map.copyOf(values));
    }

    public static ProviderOptions empty() {
        return EMPTY;
    }

    /** Options from alternating keys and values, for tests and examples. */
    public static ProviderOptions of(String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must alternate");
        }
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return of(m);
    }

    /** This set with one more (or a replaced) value. */
    public ProviderOptions with(String key, String value) {
        Map<String, String> m = new TreeMap<>(values);
        m.put(key, value);
        return of(m);
    }

    public Optional<String> string(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public String string(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    public int integer(String key, int defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigurationException("option " + key + " must be an integer, got \"" + v + "\"");
        }
    }

    public long longValue(String key, long defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ConfigurationException("option " + key + " must be an integer, got \"" + v + "\"");
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        switch (v.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true":
            case "yes":
            case "on":
                return true;
            case "false":
            case "no":
            case "off":
                return false;
            default:
                throw new ConfigurationException("option " + key + " must be true or false, got \"" + v + "\"");
        }
    }

    /**
     * A duration written as {@code 250ms}, {@code 5s}, {@code 2m}, ISO-8601 ({@code PT5S}), or a
     * bare {@code 0} (zero needs no unit: "keep_alive=0" turns keep-alive off).
     */
    public Duration duration(String key, Duration defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        try {
            if (s.startsWith("pt") || s.startsWith("p")) {
                return Duration.parse(v.trim());
            }
            if (s.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
            }
            if (s.endsWith("s")) {
                return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
            }
            if (s.endsWith("m")) {
                return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
            }
        } catch (RuntimeException e) {
            // fall through to the error below
        }
        throw new ConfigurationException("option " + key + " must be a duration such as 500ms, 5s or 2m, got \"" + v + "\"");
    }

    /**
     * A duration that must be above zero.
     *
     * @throws ConfigurationException if it does not parse or is zero or negative
     */
    public Duration positiveDuration(String key, Duration defaultValue) {
        Duration d = duration(key, defaultValue);
        if (d.isNegative() || d.isZero()) {
            throw new ConfigurationException("option " + key + " must be positive, got " + string(key, d.toString()));
        }
        return d;
    }

    /**
     * A socket address written {@code host:port} or {@code [v6]:port}, where the host is an IP
     * address literal (never a name: reading options does no DNS lookup) and the port 0–65535.
     *
     * @throws ConfigurationException naming the key for anything else
     */
    public InetSocketAddress socketAddress(String key, String defaultValue) {
        String value = string(key, defaultValue);
        String s = value.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new ConfigurationException("option " + key + " must be host:port, got \"" + value + "\"");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigurationException("option " + key + " has a bad port: \"" + value + "\"");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigurationException("option " + key + " port must be 0..65535, got " + port);
        }
        if (!IPV4.matcher(host).matches() && !IPV6.matcher(host).matches()) {
            throw new ConfigurationException("option " + key + " host must be an IP address literal, got \"" + host + "\"");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new ConfigurationException("option " + key + " host is not an IP address: \"" + host + "\"", e);
        }
    }

    public Map<String, String> asMap() {
        return values;
    }

    @Override
    public String toString() {
        return new TreeMap<>(values).toString();
    }
}
