package dev.pando.store.sqlite;

import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.spi.StoreProvider;
import java.util.Set;

/**
 * The "sqlite" store provider. Options (see the module README):
 * <ul>
 *   <li>{@code path} (required): the database file; its directory must exist.</li>
 *   <li>{@code journal_mode}: DELETE, TRUNCATE, PERSIST, MEMORY, WAL or OFF; default WAL.</li>
 *   <li>{@code synchronous}: OFF, NORMAL or FULL; default NORMAL.</li>
 *   <li>{@code busy_timeout}: how long a statement waits for a lock held by another process,
 *       e.g. {@code 5s} (the default) or {@code 250ms}.</li>
 *   <li>{@code readers}: size of the read connection pool, 1 to 64; default 4.</li>
 *   <li>{@code read_only}: {@code true} opens an existing file for reading only (no writes, no
 *       migration, no waiting for another process's write lock in WAL mode); default false.</li>
 * </ul>
 * {@link #create} checks the options and does no I/O; {@link Store#open()} opens the file, checks
 * it and runs pending schema migrations.
 */
public final class SqliteStoreProvider implements StoreProvider {
    /** The provider's name in configuration. */
    public static final String NAME = "sqlite";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> optionKeys() {
        return SqliteOptions.KNOWN;
    }

    @Override
    public Store create(StoreContext context) {
        return new SqliteStore(SqliteOptions.from(context.options()));
    }
}
