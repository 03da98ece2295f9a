package com.example.app;

import dev.pando.TopicId;
import dev.pando.node.MessageStream;
import dev.pando.node.Node;
import dev.pando.node.TopicMessage;
import dev.pando.node.TopicSubscription;
import dev.pando.spi.ProviderOptions;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Two Pando nodes in one process, on loopback: alice keeps her log in the store named on the
 * command line (a built-in one, {@code memory} or {@code sqlite}, or a plug-in's), publishes notes
 * to a topic, and bob, who knows only alice's address, receives them by sync and prints them.
 *
 * <pre>ExampleApp STORE [KEY=VALUE…] [--count N]</pre>
 */
public final class ExampleApp {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

    private ExampleApp() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 0) {
            System.err.println("usage: ExampleApp STORE [KEY=VALUE…] [--count N]");
            System.exit(2);
        }
        ProviderOptions options = ProviderOptions.empty();
        int count = 3;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--count") && i + 1 < args.length) {
                count = Integer.parseInt(args[++i]);
            } else if (args[i].contains("=")) {
                String[] kv = args[i].split("=", 2);
                options = options.with(kv[0], kv[1]);
            } else {
                System.err.println("not KEY=VALUE: " + args[i]);
                System.exit(2);
            }
        }
        List<String> received = run(args[0], options, count, Duration.ofSeconds(30));
        received.forEach(System.out::println);
        System.exit(received.size() == count ? 0 : 1);
    }

    /**
     * Runs the two nodes; returns what bob received, one "seq author: text" line per note, in order
     * (fewer than {@code count} if the wait ran out).
     */
    static List<String> run(String store, ProviderOptions storeOptions, int count, Duration wait) throws InterruptedException {
        TopicId topic = TopicId.named("example/notes");
        List<String> received = new ArrayList<>();
        // transport "quic-netty" and sync "log-sync" are the defaults; no gossip provider is on
        // this app's module path, so sync alone keeps the topic in step
        try (Node alice = Node.builder().store(store, storeOptions).bind(LOOPBACK).noGossip().start();
             Node bob = Node.builder().bind(LOOPBACK).peer(alice.address()).noGossip().start()) {
            TopicSubscription notes = alice.subscribe(topic);
            for (int i = 0; i < count; i++) {
                notes.publish(("note " + i).getBytes(StandardCharsets.UTF_8));   // stored at once, synced to bob
            }
            try (MessageStream messages = bob.subscribe(topic).messages()) {
                long deadline = System.nanoTime() + wait.toNanos();
                while (received.size() < count) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    messages.poll(Duration.ofNanos(left)).ifPresent(m -> {
                        if (m instanceof TopicMessage.Stored s) {
                            received.add(s.operation().seqNum() + " " + s.author() + ": "
                                    + new String(s.payload(), StandardCharsets.UTF_8));
                        }
                    });
                }
            }
        }
        return received;
    }
}
