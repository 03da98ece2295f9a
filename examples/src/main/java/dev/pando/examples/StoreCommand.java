package dev.pando.examples;

import picocli.CommandLine.Command;

/** {@code pando store …}: import, export and check a store. */
@Command(name = "store", mixinStandardHelpOptions = true,
        description = "Import operations into a store, export them, and check a store's logs.",
        subcommands = {StoreImport.class, StoreExport.class, StoreCheck.class})
final class StoreCommand {
}
