package dev.pando.sync.log;

import dev.pando.Header;
import dev.pando.InvalidOperationException;
import dev.pando.LogId;
import dev.pando.LogKey;
import dev.pando.PandoException;
import dev.pando.ProtocolViolationException;
import dev.pando.PublicKey;
import dev.pando.RejectedOperationException;
import dev.pando.TopicId;
import dev.pando.TopicRefusedException;
import dev.pando.spi.IncomingOperation;
import dev.pando.spi.IngestVerdict;
import dev.pando.spi.LogRangeSize;
import dev.pando.spi.NodeServices;
import dev.pando.spi.RawOperation;
import dev.pando.spi.SyncMetrics;
import dev.pando.spi.SyncProgress;
import dev.pando.spi.SyncSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One session, either side. After the Have exchange both directions run at once: this node's
 * operations go out on an executor thread while the calling thread reads, checks and ingests the
 * peer's (README, "Session").
 */
final class LogSyncSession {
    /** Operations read from the store per call while sending: memory stays bounded for any log. */
    private static final int PAGE = 256;
    /** Batches left outstanding in the ingest pipeline: one stored while the next is verified. */
    private static final int IN_FLIGHT = 2;

    private final LogSyncOptions options;
    private final NodeServices services;
    private final SyncSession session;
    private final long startNanos;
    private final FrameStream frames;
    private final Object progressLock = new Object();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicReference<RuntimeException> senderFailure = new AtomicReference<>();
    private volatile TopicId topic;
    private volatile long toSend;
    private volatile long expected;
    private volatile long received;
    private boolean refused;
    /** Batches handed to the sink and not settled yet, oldest first (at most {@link #IN_FLIGHT}); read thread only. */
    private final java.util.ArrayDeque<CompletableFuture<List<IngestVerdict>>> ingesting = new java.util.ArrayDeque<>();
    private long receivedBytes;
    private long forks;

    LogSyncSession(LogSyncOptions options, NodeServices services, SyncSession session) {
        this.options = options;
        this.services = services;
        this.session = session;
        this.startNanos = services.clock().nanoTime();
        this.frames = new FrameStream(session.stream(), options.maxFrameBytes(), services.clock(),
                startNanos + options.sessionTimeout().toNanos());
    }

    SyncMetrics initiate(TopicId topic) {
        this.topic = topic;
        return run(() -> {
            Map<LogKey, Long> mine = heights();
            send(new SyncMessage.Have(SyncMessage.VERSION, topic, mine));
            frames.flush();
            SyncMessage first = readMessage();
            if (first instanceof SyncMessage.Refused) {
                throw new TopicRefusedException("the peer does not serve topic " + topic);
            }
            SyncMessage.Have theirs = expectHave(first);
            if (!theirs.topic().equals(topic)) {
                throw new ProtocolViolationException("the peer answered for topic " + theirs.topic()
                        + " instead of " + topic);
            }
            exchange(mine, theirs.heights());
        });
    }

    SyncMetrics accept() {
        return run(() -> {
            SyncMessage.Have theirs = expectHave(readMessage());
            topic = theirs.topic();
            if (!session.topicLogs().serves(topic)) {
                send(new SyncMessage.Refused());
                frames.flush();
                // close, not abort: the initiator must still read the refusal
                refused = true;
                session.stream().close();
                throw new ProtocolViolationException("the peer asked for topic " + topic + ", which this node does not serve");
            }
            Map<LogKey, Long> mine = heights();
            send(new SyncMessage.Have(SyncMessage.VERSION, topic, mine));
            exchange(mine, theirs.heights());
        });
    }

    private SyncMetrics run(Runnable body) {
        session.stream().timeout(options.timeout());
        try {
            body.run();
            session.stream().close();
        } catch (RuntimeException e) {
            if (!refused) {
                session.stream().abort();
            }
            throw e;
        }
        return new SyncMetrics(topic, sent.get(), received, frames.bytesWritten(), frames.bytesRead(), forks,
                Duration.ofNanos(services.clock().nanoTime() - startNanos));
    }

    /** This node's heights for the topic's logs. */
    private Map<LogKey, Long> heights() {
        Set<LogKey> logs = session.topicLogs().logs(topic, session.store());
        if (logs.size() > options.maxLogs()) {
            throw new IllegalStateException("this node holds " + logs.size() + " logs of topic " + topic
                    + ", more than max_logs (" + options.maxLogs() + ")");
        }
        Map<LogId, Map<PublicKey, Long>> byLogId = new HashMap<>();
        Map<LogKey, Long> heights = new HashMap<>();
        for (LogKey log : logs) {
            Long h = byLogId.computeIfAbsent(log.logId(), id -> session.store().heights(id)).get(log.author());
            if (h != null) {
                heights.put(log, h);
            }
        }
        return heights;
    }

    /** Both directions at once: ours on the executor, theirs on this thread. */
    private void exchange(Map<LogKey, Long> mine, Map<LogKey, Long> theirs) {
        Plan plan = plan(mine, theirs);
        CompletableFuture<Void> sender;
        try {
            sender = CompletableFuture.runAsync(() -> sendAll(plan), services.executor());
        } catch (RuntimeException e) {
            throw new IllegalStateException("the executor refused the sync session's sender", e);
        }
        try {
            receiveAll(mine);
        } catch (RuntimeException e) {
            RuntimeException cause = senderFailure.get();
            session.stream().abort();
            awaitQuietly(sender);
            if (cause != null && !(e instanceof ProtocolViolationException)) {
                // the sender failed first and aborted the stream: its error is the reason
                cause.addSuppressed(e);
                throw cause;
            }
            throw e;
        }
        await(sender);
        // both directions are done: say what is stored here, and hear the same from the peer, so a
        // session ends only once each side's operations are stored at the other (a session started
        // right after this one sees them in the peer's heights and does not send them again)
        send(new SyncMessage.Stored(received));
        frames.flush();
        session.stream().closeOutput();
        SyncMessage last = readMessage();
        if (!(last instanceof SyncMessage.Stored stored)) {
            throw new ProtocolViolationException("expected Stored after the peer's Done, got " + name(last));
        }
        if (stored.operations() != sent.get()) {
            throw new ProtocolViolationException("the peer says it received " + stored.operations()
                    + " operations, this node sent " + sent.get());
        }
        // the end of the peer's stream is not awaited: Stored is its last message
    }

    /** What the peer lacks, per log: everything above its height; counted with the store's sizes. */
    private Plan plan(Map<LogKey, Long> mine, Map<LogKey, Long> theirs) {
        List<Range> ranges = new ArrayList<>();
        long operations = 0;
        long bytes = 0;
        for (Map.Entry<LogKey, Long> e : new TreeMap<>(mine).entrySet()) {
            LogKey log = e.getKey();
            Long theirHeight = theirs.get(log);
            long from = theirHeight == null ? 0 : theirHeight + 1;
            long to = e.getValue();
            if (from > to) {
                continue;
            }
            LogRangeSize size = session.store().rangeSize(log.author(), log.logId(), from, to);
            if (size.operations() == 0) {
                continue;
            }
            ranges.add(new Range(log, from, to));
            operations += size.operations();
            bytes += size.bytes();
        }
        toSend = operations;
        return new Plan(ranges, operations, bytes);
    }

    /**
     * Sends the PreSync, the planned ranges page by page, and Done. Never more
     * than announced: if the store changed since it was counted, the rest waits for the next
     * session.
     */
    private void sendAll(Plan plan) {
        try {
            send(new SyncMessage.PreSync(plan.operations(), plan.bytes()));
            frames.flush();
            progress();
            long bytes = 0;
            ranges:
            for (Range range : plan.ranges()) {
                long next = range.from();
                while (next <= range.to()) {
                    List<RawOperation> page = session.store().rawLog(range.log().author(), range.log().logId(), next, PAGE);
                    for (RawOperation op : page) {
                        if (op.seqNum() > range.to()) {
                            continue ranges;
                        }
                        if (sent.get() >= plan.operations() || bytes + op.size() > plan.bytes()) {
                            break ranges;
                        }
                        send(new SyncMessage.Operation(op.header(), op.body()));
                        bytes += op.size();
                        sent.incrementAndGet();
                        next = op.seqNum() + 1;
                    }
                    frames.flush();
                    progress();
                    if (page.size() < PAGE) {
                        break;
                    }
                }
            }
            send(new SyncMessage.Done());
            frames.flush();
            progress();
        } catch (RuntimeException e) {
            senderFailure.compareAndSet(null, e);
            session.stream().abort();
            throw e;
        }
    }

    private void receiveAll(Map<LogKey, Long> announced) {
        SyncMessage first = readMessage();
        if (!(first instanceof SyncMessage.PreSync pre)) {
            throw new ProtocolViolationException("expected PreSync, got " + name(first));
        }
        if (pre.operations() > options.maxOperations()) {
            throw new ProtocolViolationException("the peer announced " + pre.operations()
                    + " operations, more than the limit of " + options.maxOperations());
        }
        expected = pre.operations();
        progress();
        Map<LogKey, Long> lastSeq = new HashMap<>();
        List<IncomingOperation> batch = new ArrayList<>(Math.min(options.batchOperations(), 1024));
        try {
            while (true) {
                SyncMessage m = readMessage();
                if (m instanceof SyncMessage.Done) {
                    break;
                }
                if (!(m instanceof SyncMessage.Operation op)) {
                    throw new ProtocolViolationException("expected Operation or Done, got " + name(m));
                }
                check(op, announced, lastSeq, pre);
                batch.add(new IncomingOperation(op.header(), op.body()));
                if (batch.size() >= options.batchOperations()) {
                    ingestBehind(batch);
                }
            }
            ingestBehind(batch);
            awaitIngest();
        } catch (ProtocolViolationException | dev.pando.DeadlineExceededException
                 | dev.pando.ConnectionClosedException e) {
            // what arrived intact before the failure is ingested (the pipeline validates each),
            // so a session cut short still makes progress
            try {
                awaitIngest();
                ingest(batch);
            } catch (RuntimeException again) {
                if (again != e) {
                    e.addSuppressed(again);
                }
            }
            throw e;
        }
    }

    /**
     * Hands a full batch to the ingest pipeline ({@link dev.pando.spi.IngestSink#ingestAsync}) and
     * goes on reading: the next batch arrives while this one is verified, and it is verified while
     * this one is stored (as {@code pando store import} overlaps them). At most {@link #IN_FLIGHT}
     * batches are outstanding; the verdicts of each are settled in order, and an invalid operation
     * is thrown by the call that settles its batch or by {@link #awaitIngest()}.
     */
    private void ingestBehind(List<IncomingOperation> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<IncomingOperation> taken = List.copyOf(batch);
        batch.clear();
        ingesting.add(session.sink().ingestAsync(taken));
        while (ingesting.size() > IN_FLIGHT) {
            settle(ingesting.poll());
        }
    }

    /** Waits for every batch in flight and settles their verdicts; rethrows the first failure. */
    private void awaitIngest() {
        while (!ingesting.isEmpty()) {
            settle(ingesting.poll());
        }
    }

    private void settle(CompletableFuture<List<IngestVerdict>> f) {
        List<IngestVerdict> verdicts;
        try {
            verdicts = f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
        judge(verdicts);
    }

    /** The checks that need no store: topic membership, order, and the announced totals. */
    private void check(SyncMessage.Operation op, Map<LogKey, Long> announced, Map<LogKey, Long> lastSeq,
                       SyncMessage.PreSync pre) {
        if (received + 1 > pre.operations()) {
            throw new ProtocolViolationException("the peer sent more than the " + pre.operations()
                    + " operations it announced");
        }
        if (receivedBytes + op.size() > pre.bytes()) {
            throw new ProtocolViolationException("the peer sent more than the " + pre.bytes() + " bytes it announced");
        }
        Header header;
        try {
            header = Header.decode(op.header());
        } catch (InvalidOperationException e) {
            throw new ProtocolViolationException("the peer sent an undecodable header: " + e.getMessage(), e);
        }
        LogKey log = new LogKey(header.publicKey(), header.logId());
        if (!session.topicLogs().contains(topic, log)) {
            throw new ProtocolViolationException("the peer sent an operation of log " + log
                    + ", which is not a log of topic " + topic);
        }
        long seq = header.seqNum();
        Long have = announced.get(log);
        if (have != null && seq <= have) {
            throw new ProtocolViolationException("the peer sent seq " + seq + " of log " + log
                    + ", which this node announced it holds (up to " + have + ")");
        }
        Long last = lastSeq.get(log);
        if (last == null && lastSeq.size() >= options.maxLogs()) {
            throw new ProtocolViolationException("the peer sent operations of more than " + options.maxLogs() + " logs");
        }
        if (last != null && seq <= last) {
            throw new ProtocolViolationException("the peer sent log " + log + " out of order (seq " + seq
                    + " after " + last + ")");
        }
        lastSeq.put(log, seq);
        received++;
        receivedBytes += op.size();
    }

    private void ingest(List<IncomingOperation> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<IngestVerdict> verdicts = session.sink().ingest(List.copyOf(batch));
        batch.clear();
        judge(verdicts);
    }

    /** Counts forks and fails the session on an operation the pipeline rejected. */
    private void judge(List<IngestVerdict> verdicts) {
        for (IngestVerdict v : verdicts) {
            if (v.status() == IngestVerdict.Status.REJECTED
                    && v.error().equals(java.util.Optional.of(dev.pando.OperationError.BACKLINK_MISMATCH))) {
                // validly signed by its author, but it continues another branch of the log than the
                // one stored here: the author forked the log. Not the peer's fault; not stored.
                forks++;
                continue;
            }
            if (v.status() == IngestVerdict.Status.REJECTED) {
                throw new RejectedOperationException(v.error(), "the peer sent an invalid operation"
                        + v.error().map(k -> " (" + k.wireName() + ")").orElse("")
                        + (v.detail().isEmpty() ? "" : ": " + v.detail()));
            }
            if (v.status() == IngestVerdict.Status.FORK) {
                forks++;
            }
        }
        progress();
    }

    private SyncMessage.Have expectHave(SyncMessage m) {
        if (!(m instanceof SyncMessage.Have have)) {
            throw new ProtocolViolationException("expected Have, got " + name(m));
        }
        if (have.version() != SyncMessage.VERSION) {
            throw new ProtocolViolationException("the peer speaks log-sync version " + Long.toUnsignedString(have.version())
                    + ", this node version " + SyncMessage.VERSION);
        }
        return have;
    }

    private SyncMessage readMessage() {
        return SyncMessage.decode(frames.read(), options.maxLogs());
    }

    private void send(SyncMessage message) {
        frames.write(SyncMessage.encode(message));
    }

    private void progress() {
        synchronized (progressLock) {
            session.progress().progress(new SyncProgress(topic, expected, received, toSend, sent.get()));
        }
    }

    private static String name(SyncMessage m) {
        return m.getClass().getSimpleName();
    }

    private static void awaitQuietly(CompletableFuture<Void> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            // reported through senderFailure
        }
    }

    private static void await(CompletableFuture<Void> f) {
        try {
            f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof PandoException p) {
                throw p;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** A log's operations to send, seq from..to inclusive. */
    private record Range(LogKey log, long from, long to) {
    }

    /** The ranges to send and their totals, as announced in the PreSync. */
    private record Plan(List<Range> ranges, long operations, long bytes) {
    }
}
