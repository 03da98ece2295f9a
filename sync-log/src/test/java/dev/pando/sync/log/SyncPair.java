package dev.pando.sync.log;

import dev.pando.NetworkId;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import dev.pando.TopicId;
import dev.pando.node.Ingest;
import dev.pando.spi.DuplexStream;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import dev.pando.spi.SyncContext;
import dev.pando.spi.SyncMetrics;
import dev.pando.spi.SyncProtocol;
import dev.pando.spi.SyncSession;
import dev.pando.spi.TopicLogs;
import dev.pando.spi.Transport;
import dev.pando.testkit.support.MemoryNetwork;
import dev.pando.testkit.StoreProviders;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Two peers on a {@link MemoryNetwork}, each with a memory store and the node's ingest pipeline as
 * its sink, and a way to run one session between them (or to hand one side's stream to a test
 * that plays a hostile peer).
 */
final class SyncPair implements AutoCloseable {
    final MemoryNetwork network = MemoryNetwork.create();
    final Peer a;
    final Peer b;
    private final BlockingQueue<DuplexStream> acceptedByB = new LinkedBlockingQueue<>();

    SyncPair() {
        this(ProviderOptions.empty());
    }

    SyncPair(ProviderOptions options) {
        a = new Peer(network, PrivateKey.generate(), options);
        b = new Peer(network, PrivateKey.generate(), options);
        b.transport.accept(LogSyncProtocol.PROTOCOL_NAME, connection -> acceptLoop(connection));
        a.transport.start();
        b.transport.start();
    }

    private void acceptLoop(dev.pando.spi.Connection connection) {
        connection.acceptStream().thenAccept(stream -> {
            acceptedByB.add(stream);
            acceptLoop(connection);
        });
    }

    /** A opens a stream to B: the initiator's end; {@link #acceptedStream()} gives B's end. */
    DuplexStream openStreamFromA() {
        return a.transport.dial(b.transport.localAddress(), LogSyncProtocol.PROTOCOL_NAME)
                .thenCompose(dev.pando.spi.Connection::openStream).join();
    }

    DuplexStream acceptedStream() {
        try {
            DuplexStream s = acceptedByB.poll(10, TimeUnit.SECONDS);
            if (s == null) {
                throw new AssertionError("B accepted no stream within 10 s");
            }
            return s;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** One session: A initiates for {@code topic}, B accepts; both results (or failures). */
    Sessions sync(TopicId topic) {
        DuplexStream initiatorEnd = openStreamFromA();
        CompletableFuture<SyncMetrics> initiator = CompletableFuture.supplyAsync(
                () -> a.protocol.initiate(topic, a.session(initiatorEnd)));
        DuplexStream acceptorEnd = acceptedStream();
        CompletableFuture<SyncMetrics> acceptor = CompletableFuture.supplyAsync(
                () -> b.protocol.accept(b.session(acceptorEnd)));
        return new Sessions(initiator, acceptor);
    }

    @Override
    public void close() {
        a.close();
        b.close();
        network.close();
    }

    record Sessions(CompletableFuture<SyncMetrics> initiator, CompletableFuture<SyncMetrics> acceptor) {
        SyncMetrics initiatorResult() {
            return initiator.orTimeout(60, TimeUnit.SECONDS).join();
        }

        SyncMetrics acceptorResult() {
            return acceptor.orTimeout(60, TimeUnit.SECONDS).join();
        }
    }

    static final class Peer implements AutoCloseable {
        final Transport transport;
        final Store store;
        final Ingest ingest;
        final SyncProtocol protocol;
        TopicLogs topicLogs = TopicLogs.byTopicLogId();

        Peer(MemoryNetwork network, PrivateKey key, ProviderOptions options) {
            transport = network.transport(key, NetworkId.DEFAULT);
            store = StoreProviders.named("memory").orElseThrow().create(new StoreContext(ProviderOptions.empty()));
            store.open();
            ingest = Ingest.builder(store).verifyThreads(1).build();
            protocol = new LogSyncProvider().create(new SyncContext(options));
        }

        SyncSession session(DuplexStream stream) {
            return new SyncSession(stream, store, topicLogs, ingest.sink());
        }

        void insert(List<Operation> operations) {
            store.insertBatch(operations);
        }

        @Override
        public void close() {
            ingest.close();
            store.close();
            transport.close();
        }
    }
}
