package dev.pando.sync.log;

import dev.pando.ConfigurationException;
import dev.pando.spi.ProviderOptions;
import java.time.Duration;
import java.util.Set;

/** The provider's options, read and checked once in {@link LogSyncProvider#create}. */
record LogSyncOptions(int maxFrameBytes, int maxLogs, long maxOperations, Duration timeout, Duration sessionTimeout,
                      int batchOperations) {

    static final String MAX_FRAME_BYTES = "max_frame_bytes";
    static final String MAX_LOGS = "max_logs";
    static final String MAX_OPERATIONS = "max_operations";
    static final String TIMEOUT = "timeout";
    static final String SESSION_TIMEOUT = "session_timeout";
    static final String BATCH_OPERATIONS = "batch_operations";

    static final Set<String> KEYS = Set.of(MAX_FRAME_BYTES, MAX_LOGS, MAX_OPERATIONS, TIMEOUT, SESSION_TIMEOUT,
            BATCH_OPERATIONS);

    static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
    static final int DEFAULT_MAX_LOGS = 65_536;
    static final long DEFAULT_MAX_OPERATIONS = 10_000_000;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofHours(1);
    static final int DEFAULT_BATCH_OPERATIONS = 1000;

    /** The smallest frame limit: a Have of one log and an operation with a 64 KiB header must fit. */
    static final int MIN_FRAME_BYTES = 1024;

    static LogSyncOptions defaults() {
        return from(ProviderOptions.empty());
    }

    static LogSyncOptions from(ProviderOptions options) {
        int maxFrame = options.integer(MAX_FRAME_BYTES, DEFAULT_MAX_FRAME_BYTES);
        if (maxFrame < MIN_FRAME_BYTES) {
            throw new ConfigurationException("option " + MAX_FRAME_BYTES + " must be at least " + MIN_FRAME_BYTES
                    + ", got " + maxFrame);
        }
        int maxLogs = options.integer(MAX_LOGS, DEFAULT_MAX_LOGS);
        if (maxLogs < 1) {
            throw new ConfigurationException("option " + MAX_LOGS + " must be at least 1, got " + maxLogs);
        }
        long maxOperations = options.longValue(MAX_OPERATIONS, DEFAULT_MAX_OPERATIONS);
        if (maxOperations < 0) {
            throw new ConfigurationException("option " + MAX_OPERATIONS + " must not be negative, got " + maxOperations);
        }
        int batch = options.integer(BATCH_OPERATIONS, DEFAULT_BATCH_OPERATIONS);
        if (batch < 1 || batch > 65_536) {
            throw new ConfigurationException("option " + BATCH_OPERATIONS + " must be 1 to 65536, got " + batch);
        }
        return new LogSyncOptions(maxFrame, maxLogs, maxOperations,
                options.positiveDuration(TIMEOUT, DEFAULT_TIMEOUT),
                options.positiveDuration(SESSION_TIMEOUT, DEFAULT_SESSION_TIMEOUT), batch);
    }
}
