package io.netty.archfixture;

/** Stands in for a Netty type, so that fixtures can use the package without the library on the class path. */
public final class NettyStandIn {
}
