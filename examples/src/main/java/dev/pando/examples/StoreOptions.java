package dev.pando.examples;

import dev.pando.ConfigurationException;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.spi.StoreProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import picocli.CommandLine.Option;

/** The options every {@code pando store} command shares: which store, and its file. */
final class StoreOptions {
    @Option(names = "--db", required = true, paramLabel = "FILE", description = "The database file.")
    Path db;

    @Option(names = "--store", defaultValue = "sqlite", paramLabel = "NAME",
            description = "The store provider: sqlite (default) or memory (nothing is kept after the command).")
    String store;

    /** How a command uses the store. */
    enum Access {
        /** Write, creating the database file if it is missing ({@code store import}). */
        WRITE,
        /**
         * Only read an existing file ({@code store export}, {@code store check}): opened read-only,
         * so a file the user may not write is read, and a writer in another process is not waited for.
         */
        READ
    }

    /**
     * Opens the store through its provider, found with {@link ServiceLoader} as a node finds it.
     *
     * @throws InvalidInputException for an unknown provider, a missing file to read, or a
     *     {@code --db} the provider refuses as an option
     * @throws dev.pando.StoreException if the store cannot be opened (its reason becomes the
     *     error kind: {@code StoreBusy}, {@code StoreReadOnly}, {@code StoreCorrupt} …)
     */
    Store open(Access access) {
        List<StoreProvider> found = new ArrayList<>();
        ServiceLoader.load(StoreProvider.class).forEach(found::add);
        StoreProvider provider = found.stream().filter(p -> p.name().equals(store)).findFirst()
                .orElseThrow(() -> new InvalidInputException("no store provider named " + store + "; found: "
                        + found.stream().map(StoreProvider::name).sorted().toList()));
        if (access == Access.READ && !store.equals("memory") && !Files.isRegularFile(db)) {
            throw new InvalidInputException("no database file at " + db);
        }
        ProviderOptions options = ProviderOptions.of("path", db.toString());
        if (access == Access.READ) {
            options = options.with("read_only", "true");
        }
        Store created;
        try {
            created = provider.create(new StoreContext(options));
        } catch (ConfigurationException e) {
            // a --db the provider cannot take as a path (say, a file: URI)
            throw new InvalidInputException("--db " + db + ": " + e.getMessage(), e);
        }
        // a StoreException from here names the file and what is wrong with it: passed on as it is
        created.open();
        return created;
    }
}
