package dev.pando.examples;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.pando.PrivateKey;
import dev.pando.PublicKey;
import dev.pando.TopicId;
import dev.pando.node.MessageStream;
import dev.pando.node.Node;
import dev.pando.node.NodeEvent;
import dev.pando.node.TopicMessage;
import dev.pando.node.TopicSubscription;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pando chat}: p2panda's chat example on a {@link Node}. Messages are operations on the
 * topic (durable: a late joiner sees the history, a restarted node with --db shows it again);
 * presence (online, offline, nick changes) is ephemeral gossip, signed by its author.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false, sortSynopsis = false,
        description = {"Chats on a topic with every node that shares it. Type a line to send it; /nick NAME, /who, "
                + "/quit. Ctrl-D (end of input) or Ctrl-C leaves (others see this node go offline).",
                "Messages are signed operations stored on every node of the topic: a node that joins later gets the "
                + "history, and with --db a restarted node shows it again (its key is kept next to the database, in "
                + "FILE.key). Presence is ephemeral.",
                "--json: one JSON object per line on stdout, each with an \"event\": started (node_id, address: give it "
                + "to --peer), ready, message (id, author, nick, text, timestamp, source: local|history|sync|live), "
                + "peer_joined, peer_left, nick, who, sync_finished, error, stopped."},
        footerHeading = "%nExamples:%n",
        footer = {
            "  pando chat --nick alice --port 4433              then, elsewhere:",
            "  pando chat --nick bob --peer <the address alice's chat printed>",
            "  pando chat --nick carol --db carol.db --peer <address>     history survives restarts"})
final class ChatCommand implements Callable<Integer> {
    static final String DEFAULT_TOPIC = "pando-chat-demo";
    /** The longest message text, in characters. */
    static final int MAX_TEXT = 2000;
    static final int MAX_NICK = 32;
    /** The longest input line, in bytes. */
    static final int MAX_LINE = 8 * 1024;
    private static final Duration PRESENCE_EVERY = Duration.ofSeconds(20);
    private static final JsonFactory JSON = JsonFactory.builder().build();

    @Spec
    CommandSpec spec;

    @Option(names = "--topic", defaultValue = DEFAULT_TOPIC, paramLabel = "NAME",
            description = "The chat room: nodes on the same topic talk (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--nick", paramLabel = "NAME", description = "Your name in the room (default: anon-<first 5 hex of your id>).")
    String nick;

    @Option(names = "--json", description = "Machine-readable output: one JSON object per line.")
    boolean json;

    @Mixin
    NodeOptions node;

    private final Map<PublicKey, String> online = new ConcurrentHashMap<>();
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong shown = new AtomicLong();
    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        Pando root = (Pando) spec.root().userObject();
        PrivateKey key = identity();
        String me = nick != null ? checkNick(nick) : "anon-" + key.publicKey().hex().substring(0, 5);
        AtomicReference<String> myNick = new AtomicReference<>(me);
        Node.Builder builder = node.builder(root.registry(), key);
        builder.subscriber(new SyncPrinter());
        TopicId topicId = TopicId.named(topic);

        StopSignal signal = StopSignal.install(root, "chat");
        try {
            run(builder, topicId, key, me, myNick, root, signal);
        } finally {
            signal.finish();
        }
        return Pando.EXIT_OK;
    }

    private void run(Node.Builder builder, TopicId topicId, PrivateKey key, String me, AtomicReference<String> myNick,
                     Pando root, StopSignal signal) {
        try (Node n = NodeOptions.build(builder)) {
            n.start();
            TopicSubscription room = n.subscribe(topicId);
            MessageStream stream = room.messages();
            header(n, me);
            Thread reader = new Thread(() -> readMessages(stream, key.publicKey()), "pando-chat-reader");
            reader.setDaemon(true);
            reader.start();
            room.ready().thenRun(() -> {
                if (json) {
                    line(j -> j.string("event", "ready"));
                } else {
                    system("ready");
                }
                presence(room, myNick.get(), "online");
            });
            Thread presence = new Thread(() -> {
                while (!signal.await(PRESENCE_EVERY)) {
                    if (room.ready().isDone()) {
                        presence(room, myNick.get(), "online");
                    }
                }
            }, "pando-chat-presence");
            presence.setDaemon(true);
            presence.start();
            Thread input = new Thread(() -> {
                readInput(root, room, myNick, signal);
                signal.stop("stdin closed");
            }, "pando-chat-input");
            input.setDaemon(true);
            input.start();
            signal.await();
            presence(room, myNick.get(), "offline");
            stream.close();
        }
        if (json) {
            line(j -> j.string("event", "stopped").string("reason", String.valueOf(signal.reason()))
                    .number("messages", shown.get()).number("malformed", malformed.get()));
        } else {
            system("left the room");
        }
    }

    /** --key-file, else with --db the key kept in FILE.key (made on first use), else a fresh key. */
    private PrivateKey identity() throws IOException {
        if (node.key != null || node.db == null) {
            return node.identity();
        }
        Path file = Path.of(node.db + ".key");
        if (Files.exists(file)) {
            return KeyFile.read(file);
        }
        PrivateKey key = PrivateKey.generate();
        String text = "{\"private_key\":\"" + key.toHex() + "\",\"public_key\":\"" + key.publicKey().hex() + "\"}\n";
        try {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new InvalidInputException("--db " + node.db + ": cannot keep the chat's key in " + file + " ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", e);
        }
        return key;
    }

    private static String checkNick(String n) {
        String t = n.strip();
        if (t.isEmpty() || t.length() > MAX_NICK || t.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidInputException("a nick is 1 to " + MAX_NICK + " characters without control characters, got \""
                    + n + "\"");
        }
        return t;
    }

    private void header(Node n, String me) {
        if (json) {
            line(j -> j.string("event", "started").string("node_id", n.id().hex()).string("address", n.address().toText())
                    .string("nick", me).string("topic", topic).string("network", node.network)
                    .bool("mdns", node.mdns).bool("bootstrap", node.bootstrap)
                    .strings("peers", node.peers));
            return;
        }
        synchronized (out) {
            out.println("pando chat — room \"" + topic + "\" as " + me);
            out.println("  node id   " + n.id().hex());
            out.println("  address   " + n.address().toText());
            out.println("  network   " + node.network + (node.bootstrap ? " (bootstrap node)" : ""));
            out.println("  mDNS      " + (node.mdns ? "on" : "off") + "    relay  " + (node.relay == null ? "none" : node.relay));
            out.println("  peers     " + (node.peers.isEmpty() ? "none given" : String.join(", ", node.peers)));
            out.println("Type a message and Enter. /nick NAME, /who, /quit.");
            out.flush();
        }
        if (!node.bootstrap) {
            system("waiting for peers…");
        }
    }

    private void readInput(Pando root, TopicSubscription room, AtomicReference<String> myNick, StopSignal signal) {
        BoundedLineReader lines = new BoundedLineReader(root.stdin(), MAX_LINE);
        while (!signal.stopped()) {
            int length = lines.next();
            if (length == BoundedLineReader.END) {
                return;
            }
            if (length == BoundedLineReader.TOO_LONG) {
                error("LineTooLong", "a line may have at most " + MAX_LINE + " bytes; it was not sent");
                continue;
            }
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(lines.line(), 0, length)).toString().strip();
            } catch (CharacterCodingException e) {
                error("InvalidUtf8", "the line is not valid UTF-8; it was not sent");
                continue;
            }
            if (text.isEmpty()) {
                continue;
            }
            try {
                if (!command(text, room, myNick)) {
                    return;
                }
            } catch (RuntimeException e) {
                error(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
            }
        }
    }

    /** @return false for /quit */
    private boolean command(String text, TopicSubscription room, AtomicReference<String> myNick) {
        if (text.equals("/quit")) {
            return false;
        }
        if (text.startsWith("/nick")) {
            String next = checkNick(text.substring(5));
            String before = myNick.getAndSet(next);
            presence(room, next, "online");
            if (json) {
                line(j -> j.string("event", "nick").string("from", before).string("to", next));
            } else {
                system("you are now " + next);
            }
            return true;
        }
        if (text.equals("/who")) {
            Map<String, String> who = new TreeMap<>();
            online.forEach((k, v) -> who.put(k.hex(), v));
            if (json) {
                line(j -> j.string("event", "who").strings("peers", who.entrySet().stream()
                        .map(e -> e.getValue() + " (" + e.getKey().substring(0, 5) + ")").toList()));
            } else {
                system(who.isEmpty() ? "nobody else is here" : "here: " + String.join(", ", who.entrySet().stream()
                        .map(e -> e.getValue() + " (" + e.getKey().substring(0, 5) + ")").toList()));
            }
            return true;
        }
        if (text.startsWith("/")) {
            error("UnknownCommand", "unknown command " + text.split(" ")[0] + "; /nick NAME, /who, /quit");
            return true;
        }
        if (text.length() > MAX_TEXT) {
            error("MessageTooLong", "a message may have at most " + MAX_TEXT + " characters; it was not sent");
            return true;
        }
        room.publish(payload("message", myNick.get(), "text", text));
        return true;
    }

    private void presence(TopicSubscription room, String who, String status) {
        try {
            room.broadcast(payload("presence", who, "status", status));
        } catch (IllegalStateException | IllegalArgumentException e) {
            // no gossip, or closing: presence is best effort
        }
    }

    private static byte[] payload(String type, String nick, String key, String value) {
        StringWriter w = new StringWriter();
        try (JsonOut j = JsonOut.object(new PrintWriter(w))) {
            j.string("type", type).string("nick", nick).string(key, value);
        }
        return w.toString().strip().getBytes(StandardCharsets.UTF_8);
    }

    private void readMessages(MessageStream stream, PublicKey self) {
        while (true) {
            Optional<TopicMessage> next;
            try {
                next = stream.poll(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                error("Store", String.valueOf(e.getMessage()));
                return;
            }
            if (next.isEmpty()) {
                if (stream.isEnded()) {
                    return;
                }
                continue;
            }
            if (next.get() instanceof TopicMessage.Stored s) {
                Map<String, String> m = parse(s.payload());
                if (m == null || !"message".equals(m.get("type")) || m.get("text") == null || m.get("nick") == null
                        || m.get("text").length() > MAX_TEXT || m.get("nick").length() > MAX_NICK) {
                    malformed.incrementAndGet();
                    continue;
                }
                shown.incrementAndGet();
                String author = s.author().hex();
                if (!s.author().equals(self)) {
                    joined(s.author(), m.get("nick"));
                }
                if (json) {
                    line(j -> j.string("event", "message").string("id", s.operation().id().hex()).string("author", author)
                            .string("nick", m.get("nick")).string("text", m.get("text"))
                            .number("timestamp", s.operation().header().timestamp() / 1000)
                            .string("source", s.source().name().toLowerCase(java.util.Locale.ROOT)));
                } else if (!s.author().equals(self) || s.source() != TopicMessage.Source.LOCAL) {
                    synchronized (out) {
                        out.println(clean(m.get("nick")) + " (" + author.substring(0, 5) + "): " + clean(m.get("text")));
                        out.flush();
                    }
                }
            } else if (next.get() instanceof TopicMessage.Ephemeral e && !e.author().equals(self)) {
                Map<String, String> m = parse(e.payload());
                if (m == null || !"presence".equals(m.get("type")) || m.get("nick") == null || m.get("nick").length() > MAX_NICK) {
                    malformed.incrementAndGet();
                    continue;
                }
                if ("offline".equals(m.get("status"))) {
                    String was = online.remove(e.author());
                    if (was != null) {
                        peerEvent("peer_left", e.author(), was, " left");
                    }
                } else {
                    joined(e.author(), m.get("nick"));
                }
            }
        }
    }

    private void joined(PublicKey author, String nickName) {
        String before = online.put(author, nickName);
        if (before == null) {
            peerEvent("peer_joined", author, nickName, " joined");
        } else if (!before.equals(nickName)) {
            peerEvent("nick", author, nickName, " (was " + clean(before) + ") changed nick");
        }
    }

    private void peerEvent(String event, PublicKey author, String nickName, String what) {
        if (json) {
            line(j -> j.string("event", event).string("author", author.hex()).string("nick", nickName));
        } else {
            system(clean(nickName) + " (" + author.hex().substring(0, 5) + ")" + what);
        }
    }

    /** A flat JSON object of strings, or null if it is not one (bounded input: a payload is small). */
    static Map<String, String> parse(byte[] payload) {
        if (payload.length > MAX_LINE * 2) {
            return null;
        }
        Map<String, String> m = new TreeMap<>();
        try (JsonParser p = JSON.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                if (t != JsonToken.FIELD_NAME) {
                    return null;
                }
                String name = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    return null;
                }
                m.put(name, p.getText());
            }
            if (p.nextToken() != null) {
                return null;
            }
            return m;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Text for a terminal: control characters (escape sequences a peer might send) become '?'. */
    private static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> b.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return b.toString();
    }

    private void system(String text) {
        synchronized (out) {
            out.println("-- " + text);
            out.flush();
        }
    }

    private void error(String kind, String message) {
        if (json) {
            line(j -> j.string("event", "error").string("kind", kind).string("message", message));
        } else {
            synchronized (out) {
                out.println("!! " + message);
                out.flush();
            }
        }
    }

    private void line(java.util.function.Consumer<JsonOut> fill) {
        synchronized (out) {
            try (JsonOut j = JsonOut.object(out)) {
                fill.accept(j);
            }
        }
    }

    /** Sync sessions that brought messages, as system lines. */
    private final class SyncPrinter implements Flow.Subscriber<NodeEvent> {
        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(NodeEvent event) {
            if (event instanceof NodeEvent.SyncFinished f && f.operationsIn() > 0) {
                if (json) {
                    line(j -> j.string("event", "sync_finished").string("peer", f.peer().hex())
                            .number("operations", f.operationsIn()).number("bytes", f.bytesIn())
                            .number("ms", f.duration().toMillis()));
                } else {
                    system("synced " + f.operationsIn() + " message" + (f.operationsIn() == 1 ? "" : "s") + " from "
                            + f.peer().hex().substring(0, 5) + " in " + f.duration().toMillis() + " ms");
                }
            } else if (event instanceof NodeEvent.SyncFailed f && f.reason() != dev.pando.node.SyncFailure.CANCELLED) {
                if (json) {
                    line(j -> j.string("event", "error").string("kind", "SyncFailed").string("peer", f.peer().hex())
                            .string("reason", f.reason().name().toLowerCase(java.util.Locale.ROOT)).string("message", f.message()));
                }
            }
        }

        @Override
        public void onError(Throwable throwable) {
        }

        @Override
        public void onComplete() {
        }
    }
}
