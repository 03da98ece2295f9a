package dev.pando.sync.log;

import dev.pando.TopicId;
import dev.pando.spi.NodeServices;
import dev.pando.spi.SyncMetrics;
import dev.pando.spi.SyncProtocol;
import dev.pando.spi.SyncSession;
import java.util.Objects;

/** The protocol object: stateless between sessions, each session is a {@link LogSyncSession}. */
final class LogSyncProtocol implements SyncProtocol {

    /** The protocol name; its last segment is the major version of the wire (README). */
    static final String PROTOCOL_NAME = "pando/sync/1";

    private final LogSyncOptions options;
    private final NodeServices services;

    LogSyncProtocol(LogSyncOptions options, NodeServices services) {
        this.options = Objects.requireNonNull(options, "options");
        this.services = Objects.requireNonNull(services, "services");
    }

    @Override
    public String protocolName() {
        return PROTOCOL_NAME;
    }

    @Override
    public SyncMetrics initiate(TopicId topic, SyncSession session) {
        Objects.requireNonNull(topic, "topic");
        return new LogSyncSession(options, services, session).initiate(topic);
    }

    @Override
    public SyncMetrics accept(SyncSession session) {
        return new LogSyncSession(options, services, session).accept();
    }
}
