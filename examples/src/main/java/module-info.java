/**
 * The {@code pando} command line: key and operation tools that print one JSON object each.
 * Run it with {@code java -p <jar>:target/modules -m dev.pando.examples/dev.pando.examples.Pando}
 * or the {@code ./pando} launcher. Exports nothing: the command line is the contract.
 */
module dev.pando.examples {
    requires dev.pando.api;
    requires dev.pando.node;
    // pando relay runs the relay server (its public API); the relay transport comes with it
    requires dev.pando.transport.relay;
    requires info.picocli;
    requires com.fasterxml.jackson.core;

    // picocli reads and sets the annotated fields of the command classes reflectively
    opens dev.pando.examples to info.picocli;

    // the store and net commands find providers through dev.pando.node.ProviderRegistry, whose
    // module declares the "uses"
}
