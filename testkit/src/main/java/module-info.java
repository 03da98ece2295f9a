/**
 * Test support for Pando implementers: one abstract contract suite per SPI (extend it to check a
 * store or transport of your own). The in-memory network, manual clock, UDP relay and test
 * operations are in {@code dev.pando.testkit.support}, required transitively.
 */
module dev.pando.testkit {
    requires transitive dev.pando.api;
    requires transitive dev.pando.testkit.support;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;
    // Awaitility 4.3.0's jar names no Automatic-Module-Name: its module name comes from the file name
    requires awaitility;

    exports dev.pando.testkit;
    // StoreProviders looks store providers up by name
    uses dev.pando.spi.StoreProvider;
    // JUnit calls the contracts' package-private test and lifecycle methods reflectively
    opens dev.pando.testkit to org.junit.platform.commons;
}
