package dev.pando.examples;

import dev.pando.StoreException;
import picocli.CommandLine.Command;

/** {@code pando store …}: import, export and check a store. */
@Command(name = "store", mixinStandardHelpOptions = true,
        description = "Import operations into a store, export them, and check a store's logs.",
        subcommands = {StoreImport.class, StoreExport.class, StoreCheck.class})
final class StoreCommand {
    /** The {@code error} kind of a result that ran out of memory. */
    static final String RESOURCE_EXHAUSTED = "ResourceExhausted";

    /**
     * The {@code error} kind printed for a failure of the store commands, or null if it is none of
     * theirs: a {@link StoreException} by its reason (so that a script can retry {@code StoreBusy}
     * and open {@code StoreReadOnly} differently), or {@value #RESOURCE_EXHAUSTED}.
     */
    static String errorKind(Exception ex) {
        if (ex instanceof ResourceExhaustedException) {
            return RESOURCE_EXHAUSTED;
        }
        if (!(ex instanceof StoreException se)) {
            return null;
        }
        switch (se.reason()) {
            case BUSY:
                return "StoreBusy";
            case READ_ONLY:
                return "StoreReadOnly";
            case CANNOT_OPEN:
                return "StoreCannotOpen";
            case CORRUPT:
                return "StoreCorrupt";
            case INCOMPATIBLE:
                return "StoreIncompatible";
            case FULL:
                return "StoreFull";
            default:
                return "StoreFailed";
        }
    }

    /** The command ran out of memory (or another JVM resource); the message says what to change. */
    static final class ResourceExhaustedException extends dev.pando.PandoException {
        private static final long serialVersionUID = 1L;

        ResourceExhaustedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
