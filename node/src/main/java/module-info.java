/**
 * The Pando node engine. Today it provides the ingest pipeline ({@link dev.pando.node.Ingest}): the
 * only way operations from outside enter a store.
 */
module dev.pando.node {
    requires transitive dev.pando.api;

    exports dev.pando.node;
}
