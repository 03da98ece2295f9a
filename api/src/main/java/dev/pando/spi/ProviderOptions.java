package dev.pando.spi;

import dev.pando.ConfigurationException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Read-only settings scoped to one provider (the node hands each provider the options configured
 * under its name). Typed getters fail with a {@link ConfigurationException} naming the key when a
 * value does not parse. Immutable and thread-safe.
 */
public final class ProviderOptions {
    private static final ProviderOptions EMPTY = new ProviderOptions(Map.of());

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

    /** A duration written as {@code 250ms}, {@code 5s}, {@code 2m}, or ISO-8601 ({@code PT5S}). */
    public Duration duration(String key, Duration defaultValue) {
        String v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
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

    public Map<String, String> asMap() {
        return values;
    }

    @Override
    public String toString() {
        return new TreeMap<>(values).toString();
    }
}
