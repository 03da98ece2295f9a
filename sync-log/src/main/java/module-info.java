/**
 * {@link dev.pando.spi.SyncProvider} "log-sync": two nodes exchange their log heights for a topic
 * and send each other the operations the other lacks, both directions at once, over one stream.
 * Exports nothing; found with {@link java.util.ServiceLoader}. The wire is specified in the
 * module's README.
 */
module dev.pando.sync.log {
    requires dev.pando.api;

    provides dev.pando.spi.SyncProvider with dev.pando.sync.log.LogSyncProvider;
}
