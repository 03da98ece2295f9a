/**
 * Pando's benchmarks: JMH micro-benchmarks of the core (header codec, ids, signing, validation),
 * each next to its raw-library baseline, and the programs {@code benchmarks/run} starts by name.
 * Not a library: it exports its package to jmh.core only.
 */
module dev.pando.benchmarks {
    requires dev.pando.api;
    requires dev.pando.transport.quic.core;
    requires org.bouncycastle.provider;
    requires jmh.core;
    // jmh.core is an automatic module and cannot declare that it needs sun.misc.Unsafe
    requires jdk.unsupported;
    requires java.management;
    // the ingest benchmarks: the pipeline, process CPU time, and the raw SQLite baseline
    requires dev.pando.node;
    requires jdk.management;
    requires java.sql;
    requires org.xerial.sqlitejdbc;

    uses dev.pando.spi.StoreProvider;
    // transport benchmarks: the providers are found with ServiceLoader; they are required only so
    // that they are resolved (surefire puts only required modules on the module path)
    requires dev.pando.transport.quic;
    requires dev.pando.transport.quic.netty;
    // the relay benchmark runs a relay server (its public API) and the "relay" transport
    requires dev.pando.transport.relay;
    // the raw kwik baseline
    requires tech.kwik.core;
    requires tech.kwik.agent15;
    // the RTT benchmark: UdpDelayRelay (the JUnit-free part of the testkit)
    requires dev.pando.testkit.support;
    // the raw Netty QUIC baseline (its native part is added with --add-modules, see programs)
    requires io.netty.codec.classes.quic;
    requires io.netty.transport;
    requires io.netty.buffer;
    requires io.netty.common;

    uses dev.pando.spi.TransportProvider;
    // gossip benchmarks: "plumtree" is found through the node's ProviderRegistry (required so that
    // it is resolved); the testkit's "flood" is added to the registry explicitly
    requires dev.pando.gossip;

    // JMH's forked VM instantiates the generated classes reflectively from jmh.core
    opens dev.pando.benchmarks.jmh_generated to jmh.core;
    // ...and our CpuTimeProfiler, by its class name
    exports dev.pando.benchmarks to jmh.core;
}
