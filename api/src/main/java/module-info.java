/**
 * Pando's core: value types (keys, hashes, headers, operations, ids, addresses), the strict
 * canonical CBOR codec, operation validation, and the service-provider interfaces in
 * {@code dev.pando.spi}.
 */
module dev.pando.api {
    requires transitive org.slf4j;
    requires org.bouncycastle.provider;

    exports dev.pando;
    exports dev.pando.spi;
}
