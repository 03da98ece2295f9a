package dev.pando.sync.log;

import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.SyncContext;
import dev.pando.spi.SyncProtocol;
import dev.pando.testkit.SyncContract;
import java.time.Duration;

/** The testkit's sync contract against "log-sync", with the testkit's reference ingest sink. */
class LogSyncContractTest extends SyncContract {

    @Override
    protected SyncProtocol createProtocol(NodeServices services, Duration deadline) {
        return new LogSyncProvider().create(new SyncContext(
                ProviderOptions.of("timeout", deadline.toMillis() + "ms"), services));
    }

    @Override
    protected byte[] malformedMessage() {
        // a 3-byte frame holding an array announced with 3 elements that has only 2
        return new byte[] {0, 0, 0, 3, (byte) 0x83, 0x01, 0x01};
    }
}
