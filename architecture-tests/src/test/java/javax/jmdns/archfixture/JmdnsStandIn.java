package javax.jmdns.archfixture;

/** Stands in for a jmdns type, so that fixtures can use the package without the library on the class path. */
public final class JmdnsStandIn {
}
