package dev.pando.examples;

import dev.pando.ConfigurationException;
import dev.pando.node.ProviderRegistry;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.spi.StoreProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The options every {@code pando store} command shares: which store, and its file. */
final class StoreOptions {
    /** The option of a store with a file (sqlite's). */
    private static final String PATH = "path";
    /** The option of a store that can open its file for reading only. */
    private static final String READ_ONLY = "read_only";

    @Option(names = "--db", required = true, paramLabel = "FILE", description = "The database file.")
    Path db;

    @Option(names = "--store", defaultValue = "sqlite", paramLabel = "NAME",
            description = "The store provider: sqlite (default), memory (nothing is kept after the command), "
                    + "or a plug-in's (pando providers lists them).")
    String store;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--store-option", paramLabel = "KEY=VALUE",
            description = "An option of the store provider (repeatable), e.g. busy_timeout=10s, synchronous=full for sqlite; "
                    + "pando providers lists each provider's keys, an unknown key is an error listing them. "
                    + "path comes from --db.")
    List<String> storeOptions;

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
     * Opens the store through its provider, found and checked by the node's
     * {@link ProviderRegistry} as a node finds it. {@code --db} becomes the provider's {@code path}
     * option and READ access its {@code read_only}, if the provider takes them ({@code memory}
     * takes neither: nothing of it is kept).
     *
     * @throws InvalidInputException for an unknown provider, a missing file to read, or a
     *     {@code --db} the provider refuses as an option
     * @throws ConfigurationException if two store providers share a name (naming both)
     * @throws dev.pando.StoreException if the store cannot be opened (its reason becomes the
     *     error kind: {@code StoreBusy}, {@code StoreReadOnly}, {@code StoreCorrupt} …)
     */
    Store open(Access access) {
        Map<String, String> userOptions = OptionValues.providerOptions(storeOptions, "--store-option", mixee.commandLine());
        ProviderRegistry registry = ((Pando) mixee.root().userObject()).registry();
        StoreProvider provider = registry.findStore(store).orElseThrow(() -> new InvalidInputException(
                "no store provider named " + store + "; found: " + registry.stores().stream().map(StoreProvider::name).toList()));
        Set<String> keys = provider.optionKeys();
        if (access == Access.READ && keys.contains(PATH) && !Files.isRegularFile(db)) {
            throw new InvalidInputException("no database file at " + db);
        }
        Map<String, String> own = new TreeMap<>();
        if (keys.contains(PATH)) {
            own.put(PATH, db.toString());
        }
        if (access == Access.READ && keys.contains(READ_ONLY)) {
            own.put(READ_ONLY, "true");
        }
        ProviderOptions options = OptionValues.mergeProviderOptions(own, userOptions, "--store-option",
                Map.of(PATH, "--db", READ_ONLY, "the command: export and check open the store read-only"));
        Store created;
        try {
            created = registry.createStore(store, options, NodeServices.system());
        } catch (ConfigurationException e) {
            // an option key the provider does not know (listing those it does), a value it refuses,
            // or a --db it cannot take as a path (say, a file: URI)
            throw new InvalidInputException("the " + store + " store rejects its options (--db " + db
                    + (userOptions.isEmpty() ? "" : ", --store-option " + userOptions.keySet()) + "): " + e.getMessage(), e);
        }
        // a StoreException from here names the file and what is wrong with it: passed on as it is
        created.open();
        return created;
    }
}
