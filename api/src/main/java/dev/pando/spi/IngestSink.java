package dev.pando.spi;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The entrance to the node's ingest pipeline, lent to providers (sync) that receive operations
 * from other nodes: the only way such operations reach the store. The sink decodes and validates
 * each operation (signature, format, its place in its log), so nothing invalid is ever stored;
 * the provider never writes to the store itself.
 *
 * <p><b>Contract for implementations</b> (the node's): thread-safe; {@link #ingest} blocks the
 * calling thread until the batch is applied (it may verify on other threads). Invalid input is a
 * verdict, never an exception.
 */
@FunctionalInterface
public interface IngestSink {

    /**
     * Validates and stores a batch (in one store transaction where the store allows).
     *
     * @return one verdict per operation, in input order
     * @throws dev.pando.StoreException if the store fails; then nothing of the batch is stored
     */
    List<IngestVerdict> ingest(List<IncomingOperation> operations);

    /**
     * As {@link #ingest}, without waiting: the provider may read the next batch while this one is
     * verified and stored, and hand it over before this one is done. Batches are applied in the
     * order of the calls to this method. The provider bounds how many it leaves outstanding.
     *
     * <p>The default applies the batch on the calling thread, as {@link #ingest} does, and returns a
     * completed future; the node's sink overlaps them.
     *
     * @return the verdicts, or completes exceptionally with what {@link #ingest} would throw
     */
    default CompletableFuture<List<IngestVerdict>> ingestAsync(List<IncomingOperation> operations) {
        try {
            return CompletableFuture.completedFuture(ingest(operations));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
