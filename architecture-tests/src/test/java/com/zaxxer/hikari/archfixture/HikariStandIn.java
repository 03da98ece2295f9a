package com.zaxxer.hikari.archfixture;

/** Stands in for a HikariCP type, so that fixtures can use the package without the library on the class path. */
public final class HikariStandIn {
}
