package dev.pando.examples;

import dev.pando.ConfigurationException;
import dev.pando.StoreException;
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

    /**
     * Opens the store through its provider, found with {@link ServiceLoader} as a node finds it.
     *
     * @param mustExist refuse to create a new database file (export and check read an existing one)
     * @throws InvalidInputException for an unknown provider, a missing file, or a file the store
     *     cannot open
     */
    Store open(boolean mustExist) {
        List<StoreProvider> found = new ArrayList<>();
        ServiceLoader.load(StoreProvider.class).forEach(found::add);
        StoreProvider provider = found.stream().filter(p -> p.name().equals(store)).findFirst()
                .orElseThrow(() -> new InvalidInputException("no store provider named " + store + "; found: "
                        + found.stream().map(StoreProvider::name).sorted().toList()));
        if (mustExist && !store.equals("memory") && !Files.isRegularFile(db)) {
            throw new InvalidInputException("no database file at " + db);
        }
        try {
            Store opened = provider.create(new StoreContext(ProviderOptions.of("path", db.toString())));
            opened.open();
            return opened;
        } catch (StoreException | ConfigurationException e) {
            // a file that is not a database, a newer schema, an unwritable directory: bad --db
            throw new InvalidInputException("cannot open the " + store + " store at " + db + ": " + e.getMessage(), e);
        }
    }
}
