package com.example.app;

import dev.pando.LogId;
import dev.pando.Operation;
import dev.pando.PrivateKey;
import dev.pando.TopicId;
import dev.pando.node.ProviderRegistry;
import dev.pando.spi.NodeServices;
import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ExampleApp STORE [KEY=VALUE…] [--count N]}: opens the store provider named STORE (the
 * built-in {@code memory} or {@code sqlite}, or a plug-in's on the module path) with the given
 * options, appends N signed operations (default 3) to a fresh author's log of topic
 * "example/notes", reads the log back and prints one line per operation: seq, id, body.
 */
public final class ExampleApp {
    private ExampleApp() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: ExampleApp STORE [KEY=VALUE…] [--count N]   (stores found: "
                    + ProviderRegistry.load().stores().stream().map(p -> p.name()).toList() + ")");
            System.exit(2);
        }
        ProviderOptions options = ProviderOptions.empty();
        int count = 3;
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--count") && i + 1 < args.length) {
                count = Integer.parseInt(args[++i]);
            } else {
                String[] kv = args[i].split("=", 2);
                if (kv.length != 2) {
                    System.err.println("not KEY=VALUE: " + args[i]);
                    System.exit(2);
                }
                options = options.with(kv[0], kv[1]);
            }
        }
        // the registry finds every provider on the module path; names are unique or it fails here
        ProviderRegistry registry = ProviderRegistry.load();
        try (Store store = registry.createStore(args[0], options, NodeServices.system())) {
            store.open();
            for (Operation op : writeAndReadBack(store, PrivateKey.generate(), count)) {
                System.out.println(op.seqNum() + " " + op.id() + " "
                        + new String(op.body().orElseThrow().bytes(), StandardCharsets.UTF_8));
            }
        }
    }

    /**
     * Appends {@code count} operations by {@code author} to its log of topic "example/notes" in
     * {@code store}, then returns that log as the store has it.
     */
    static List<Operation> writeAndReadBack(Store store, PrivateKey author, int count) {
        LogId log = LogId.forTopic(TopicId.named("example/notes"));
        List<Operation> written = new ArrayList<>();
        Operation previous = null;
        for (int i = 0; i < count; i++) {
            byte[] body = ("note " + i).getBytes(StandardCharsets.UTF_8);
            Operation op = previous == null
                    ? Operation.builder(author).logId(log).body(body).build()
                    : Operation.builder(author).after(previous).body(body).build();
            op.validate();
            if (previous != null) {
                op.validateAfter(previous);
            }
            store.insert(op);
            written.add(op);
            previous = op;
        }
        return store.log(author.publicKey(), log, 0, count);
    }
}
