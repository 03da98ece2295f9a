/**
 * Pando's benchmarks: JMH micro-benchmarks of the core (header codec, ids, signing, validation),
 * each next to its raw-library baseline, and the programs {@code benchmarks/run} starts by name.
 * Not a library: it exports its package to jmh.core only.
 */
module dev.pando.benchmarks {
    requires dev.pando.api;
    requires org.bouncycastle.provider;
    requires jmh.core;
    // jmh.core is an automatic module and cannot declare that it needs sun.misc.Unsafe
    requires jdk.unsupported;
    requires java.management;

    // JMH's forked VM instantiates the generated classes reflectively from jmh.core
    opens dev.pando.benchmarks.jmh_generated to jmh.core;
    // ...and our CpuTimeProfiler, by its class name
    exports dev.pando.benchmarks to jmh.core;
}
