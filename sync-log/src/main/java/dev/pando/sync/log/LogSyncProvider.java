package dev.pando.sync.log;

import dev.pando.spi.SyncContext;
import dev.pando.spi.SyncProtocol;
import dev.pando.spi.SyncProvider;
import java.util.Set;

/**
 * {@code SyncProvider} "log-sync": exchanges log heights for a topic, then both sides send each
 * other the operations the other lacks, at once. The wire and the options are in the module's
 * README.
 */
public final class LogSyncProvider implements SyncProvider {

    /** The provider's name in configuration. */
    static final String NAME = "log-sync";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> optionKeys() {
        return LogSyncOptions.KEYS;
    }

    @Override
    public SyncProtocol create(SyncContext context) {
        return new LogSyncProtocol(LogSyncOptions.from(context.options()), context.services());
    }
}
