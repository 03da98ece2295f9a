package org.sqlite.archfixture;

/** Stands in for a sqlite-jdbc type, so that fixtures can use the package without the library on the class path. */
public final class SqliteStandIn {
}
