package dev.pando.examples;

import dev.pando.TopicId;
import dev.pando.node.Node;
import dev.pando.node.NodeCounters;
import dev.pando.node.NodeEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pando node}: a headless node. Subscribes to topics, serves their logs to peers and keeps
 * them in step, and prints one JSON line per {@link NodeEvent} until stdin ends or a signal comes.
 */
@Command(name = "node", mixinStandardHelpOptions = true, sortOptions = false, sortSynopsis = false,
        description = {"Runs a headless node: subscribes to each --topic (operations already in --db are served to "
                + "peers), contacts each --peer, and keeps the topics in step with every peer that shares them "
                + "(log sync; live gossip when a gossip provider is on the module path).",
                "Prints one JSON object per line: first {\"event\":\"started\",\"node_id\",\"address\" (give it to "
                + "--peer of another node),…}, then one per node event (sync_started, sync_finished with peer, topic, "
                + "operations_in, operations_out, bytes_in, bytes_out, ms; sync_failed with a reason; peer_discovered; "
                + "connection_established; …), and {\"event\":\"stopped\",…} with counters after stdin EOF (unless "
                + "--until-signal), SIGINT or SIGTERM.",
                "DURATION: a positive number with ms, s or m (500ms, 5s, 2m), or ISO-8601 (PT1M30S)."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  pando node --topic chat --db a.db --port 4433             stops at Ctrl-D or Ctrl-C",
            "  pando node --topic chat --peer <address printed by the other node>",
            "  pando node --topic chat --bootstrap --until-signal > node.jsonl &"})
final class NodeCommand implements Callable<Integer> {
    private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(20);

    @Spec
    CommandSpec spec;

    @Option(names = "--topic", paramLabel = "NAME",
            description = "A topic to subscribe to (repeatable): its id is BLAKE3 of the name, its logs have log id "
                    + "LogId.forTopic(id), as pando store import writes them.")
    List<String> topics = new ArrayList<>();

    @Mixin
    NodeOptions node;

    @Option(names = "--resync", defaultValue = "60s", paramLabel = "DURATION",
            converter = OptionValues.PositiveDuration.class,
            description = "How often topics are synced again with the peers that share them (default: ${DEFAULT-VALUE}).")
    Duration resync;

    @Option(names = {"--until-signal"}, description = "Do not read stdin; stop on SIGINT/SIGTERM only.")
    boolean untilSignal;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Pando root = (Pando) spec.root().userObject();
        Node.Builder builder = node.builder(root.registry(), node.identity()).resyncInterval(resync);
        Map<TopicId, String> names = new LinkedHashMap<>();
        for (String t : topics) {
            names.put(TopicId.named(t), t);
        }
        Printer printer = new Printer(out, names);
        builder.subscriber(printer);

        StopSignal signal = StopSignal.install(root, "node");
        try {
            NodeCounters counters;
            try (Node n = NodeOptions.build(builder)) {
                n.start();
                for (String t : topics) {
                    n.subscribe(TopicId.named(t));
                }
                synchronized (out) {
                    try (JsonOut json = JsonOut.object(out)) {
                        json.string("event", "started")
                                .string("node_id", n.id().hex())
                                .string("address", n.address().toText())
                                .string("network", node.network)
                                .string("network_id", n.networkId().hex())
                                .bool("bootstrap", node.bootstrap)
                                .strings("topics", topics)
                                .strings("transports", n.providers().get("transport"))
                                .strings("gossip", n.providers().get("gossip"))
                                .strings("discovery", n.providers().get("discovery"));
                    }
                }
                printer.open();
                if (!untilSignal) {
                    signal.watchStdin(root.stdin(), null, null, "node");
                }
                signal.await();
                counters = n.counters();
            }
            printer.awaitEnd(SHUTDOWN_WAIT);
            synchronized (out) {
                try (JsonOut json = JsonOut.object(out)) {
                    json.string("event", "stopped")
                            .string("reason", signal.reason())
                            .number("published", counters.published())
                            .number("stored", counters.stored())
                            .number("syncs_finished", counters.syncsFinished())
                            .number("syncs_failed", counters.syncsFailed())
                            .number("operations_in", counters.operationsIn())
                            .number("operations_out", counters.operationsOut())
                            .number("live_received", counters.liveReceived())
                            .number("live_invalid", counters.liveInvalid());
                }
            }
            return Pando.EXIT_OK;
        } finally {
            signal.finish();
        }
    }

    /** Prints each event as a JSON line; holds them until the started line is out. */
    private static final class Printer implements Flow.Subscriber<NodeEvent> {
        private final PrintWriter out;
        private final Map<TopicId, String> names;
        private final CountDownLatch ended = new CountDownLatch(1);
        private volatile Flow.Subscription subscription;

        Printer(PrintWriter out, Map<TopicId, String> names) {
            this.out = out;
            this.names = names;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
        }

        /** Lets the events flow (they wait in the node's bounded buffer until then). */
        void open() {
            subscription.request(Long.MAX_VALUE);
        }

        void awaitEnd(Duration timeout) {
            await(ended, timeout);
        }

        @Override
        public void onNext(NodeEvent event) {
            synchronized (out) {
                try (JsonOut json = JsonOut.object(out)) {
                    write(json, event);
                }
            }
        }

        private void topic(JsonOut json, TopicId topic) {
            json.string("topic", names.getOrDefault(topic, topic.hex()));
        }

        private void write(JsonOut json, NodeEvent event) {
            if (event instanceof NodeEvent.OverlayJoined e) {
                json.string("event", "overlay_joined");
                topic(json, e.topic());
            } else if (event instanceof NodeEvent.OverlayLeft e) {
                json.string("event", "overlay_left");
                topic(json, e.topic());
            } else if (event instanceof NodeEvent.NeighbourUp e) {
                json.string("event", "neighbour_up").string("peer", e.peer().hex());
                topic(json, e.topic());
            } else if (event instanceof NodeEvent.NeighbourDown e) {
                json.string("event", "neighbour_down").string("peer", e.peer().hex());
                topic(json, e.topic());
            } else if (event instanceof NodeEvent.PeerDiscovered e) {
                json.string("event", "peer_discovered").string("peer", e.address().nodeId().hex())
                        .string("address", e.address().toText()).string("source", e.source());
            } else if (event instanceof NodeEvent.PeerLost e) {
                json.string("event", "peer_lost").string("peer", e.peer().hex()).string("source", e.source());
            } else if (event instanceof NodeEvent.ConnectionEstablished e) {
                json.string("event", "connection_established").string("peer", e.peer().hex())
                        .string("transport", e.transport());
            } else if (event instanceof NodeEvent.ConnectionClosed e) {
                json.string("event", "connection_closed").string("peer", e.peer().hex())
                        .string("transport", e.transport());
            } else if (event instanceof NodeEvent.SyncStarted e) {
                json.string("event", "sync_started").string("peer", e.peer().hex());
                topic(json, e.topic());
                json.bool("initiator", e.initiator());
            } else if (event instanceof NodeEvent.SyncFinished e) {
                json.string("event", "sync_finished").string("peer", e.peer().hex());
                topic(json, e.topic());
                json.bool("initiator", e.initiator())
                        .number("operations_in", e.operationsIn()).number("operations_out", e.operationsOut())
                        .number("bytes_in", e.bytesIn()).number("bytes_out", e.bytesOut())
                        .number("forks", e.forks()).number("ms", e.duration().toMillis());
            } else if (event instanceof NodeEvent.SyncFailed e) {
                json.string("event", "sync_failed").string("peer", e.peer().hex());
                topic(json, e.topic());
                json.bool("initiator", e.initiator())
                        .string("reason", e.reason().name().toLowerCase(java.util.Locale.ROOT))
                        .string("message", e.message());
            } else if (event instanceof NodeEvent.RelayConnected e) {
                json.string("event", "relay_connected").string("relay", e.relay().toString())
                        .string("transport", e.transport());
            } else if (event instanceof NodeEvent.RelayDisconnected e) {
                json.string("event", "relay_disconnected").string("relay", e.relay().toString())
                        .string("transport", e.transport()).string("reason", e.reason());
            } else if (event instanceof NodeEvent.Lagged e) {
                json.string("event", "lagged").number("missed", e.missed());
            } else {
                json.string("event", event.getClass().getSimpleName());
            }
        }

        @Override
        public void onError(Throwable throwable) {
            ended.countDown();
        }

        @Override
        public void onComplete() {
            ended.countDown();
        }
    }

    private static void await(CountDownLatch latch, Duration timeout) {
        try {
            latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
