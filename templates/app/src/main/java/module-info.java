/**
 * An example application on Pando: opens the store named on its command line, found among the
 * providers on its module path, and writes and reads back a log. Exports nothing.
 */
module com.example.app {
    requires dev.pando.node;
}
