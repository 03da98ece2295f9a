package tech.kwik.archfixture;

/** Stands in for a kwik type, so that fixtures can use the package without the library on the class path. */
public final class KwikStandIn {
}
