/**
 * {@link dev.pando.spi.StoreProvider} "sqlite": a store in one SQLite database file (sqlite-jdbc,
 * WAL, one writer connection and a HikariCP pool of read-only readers). Exports nothing; found
 * with {@link java.util.ServiceLoader}.
 */
module dev.pando.store.sqlite {
    requires dev.pando.api;
    requires java.sql;
    // explicit, so that the driver is read from the module path and not bound only as a service
    requires org.xerial.sqlitejdbc;
    requires com.zaxxer.hikari;

    provides dev.pando.spi.StoreProvider with dev.pando.store.sqlite.SqliteStoreProvider;
}
