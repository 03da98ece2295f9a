/**
 * An example application on Pando: two nodes that sync a topic, one keeping its log in the store
 * named on the command line (found among the providers on the module path). Exports nothing.
 */
module com.example.app {
    requires dev.pando.node;
}
