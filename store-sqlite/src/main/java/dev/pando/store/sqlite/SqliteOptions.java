package dev.pando.store.sqlite;

import dev.pando.ConfigurationException;
import dev.pando.spi.ProviderOptions;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.sqlite.SQLiteConfig.JournalMode;
import org.sqlite.SQLiteConfig.SynchronousMode;

/** The provider's options, parsed and checked. */
record SqliteOptions(Path path, JournalMode journalMode, SynchronousMode synchronous, Duration busyTimeout,
        int readers, boolean readOnly) {
    static final String PATH = "path";
    static final String JOURNAL_MODE = "journal_mode";
    static final String SYNCHRONOUS = "synchronous";
    static final String BUSY_TIMEOUT = "busy_timeout";
    static final String READERS = "readers";
    static final String READ_ONLY = "read_only";
    static final int MAX_READERS = 64;
    static final Set<String> KNOWN = Set.of(PATH, JOURNAL_MODE, SYNCHRONOUS, BUSY_TIMEOUT, READERS,
            READ_ONLY);

    static SqliteOptions from(ProviderOptions options) {
        Set<String> unknown = new TreeSet<>(options.asMap().keySet());
        unknown.removeAll(KNOWN);
        if (!unknown.isEmpty()) {
            // a misspelt option would otherwise silently fall back to its default
            throw new ConfigurationException("unknown sqlite store option(s) " + unknown + "; known: " + new TreeSet<>(KNOWN));
        }
        String raw = options.string(PATH).map(String::trim).filter(s -> !s.isEmpty()).orElseThrow(
                () -> new ConfigurationException("option path is required: the file of the SQLite database"));
        if (raw.equals(":memory:") || raw.startsWith("file:") || raw.startsWith("jdbc:")) {
            throw new ConfigurationException("option path must be a file path, got \"" + raw
                    + "\" (use the memory store for a store without a file)");
        }
        Path path;
        try {
            path = Path.of(raw).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new ConfigurationException("option path is not a valid file path: \"" + raw + "\"");
        }
        JournalMode journal = parse(options, JOURNAL_MODE, JournalMode.WAL, JournalMode.values());
        SynchronousMode sync = parse(options, SYNCHRONOUS, SynchronousMode.NORMAL, SynchronousMode.values());
        Duration busy = options.duration(BUSY_TIMEOUT, Duration.ofSeconds(5));
        if (busy.isNegative() || busy.toMillis() > Integer.MAX_VALUE) {
            throw new ConfigurationException("option busy_timeout must be between 0 and " + Integer.MAX_VALUE + "ms, got " + busy);
        }
        int readers = options.integer(READERS, 4);
        if (readers < 1 || readers > MAX_READERS) {
            throw new ConfigurationException("option readers must be between 1 and " + MAX_READERS + ", got " + readers);
        }
        boolean readOnly = options.bool(READ_ONLY, false);
        return new SqliteOptions(path, journal, sync, busy, readers, readOnly);
    }

    private static <E extends Enum<E>> E parse(ProviderOptions options, String key, E defaultValue, E[] values) {
        String v = options.string(key).orElse(null);
        if (v == null) {
            return defaultValue;
        }
        String wanted = v.trim().toUpperCase(Locale.ROOT);
        for (E e : values) {
            if (e.name().equals(wanted)) {
                return e;
            }
        }
        throw new ConfigurationException("option " + key + " must be one of " + Arrays.toString(values) + ", got \"" + v + "\"");
    }
}
