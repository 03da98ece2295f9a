/**
 * The JUnit-free part of Pando's testkit: an in-memory network ({@code MemoryNetwork}) with a
 * manual clock that is also a scheduler ({@code ManualClock}), a UDP relay that adds delay, loss and
 * a rate limit ({@code UdpDelayRelay}), generators of valid test operations
 * ({@code Operations}); a private LAN of network namespaces for multi-process tests
 * ({@code NetnsLab}: needs root and iproute2). Depends on api only, so benchmarks and other programs can use it without
 * bringing JUnit or AssertJ onto their module path; the contract suites are in {@code
 * dev.pando.testkit}, which requires this module transitively.
 */
module dev.pando.testkit.support {
    requires transitive dev.pando.api;

    exports dev.pando.testkit.support;
}
