/**
 * {@link dev.pando.spi.GossipProvider} "plumtree": per-topic overlays kept by HyParView (a small
 * active view of neighbours, a larger passive view of spares) that broadcast with PlumTree (eager
 * push along a spanning tree, lazy announcements on the other links, grafts to repair). Runs over
 * any {@link dev.pando.spi.Transport}. Exports nothing; found with {@link java.util.ServiceLoader}.
 */
module dev.pando.gossip {
    requires dev.pando.api;

    provides dev.pando.spi.GossipProvider with dev.pando.gossip.PlumtreeGossipProvider;
}
