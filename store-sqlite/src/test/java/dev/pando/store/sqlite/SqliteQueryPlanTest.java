package dev.pando.store.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pando.spi.ProviderOptions;
import dev.pando.spi.Store;
import dev.pando.spi.StoreContext;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/** Every statement the store runs uses an index: no full table scan, no sorting. */
class SqliteQueryPlanTest {
    @TempDir
    Path dir;

    @Test
    void everyStatementUsesAnIndex() throws SQLException {
        Path file = dir.resolve("plans.sqlite");
        try (Store store = new SqliteStoreProvider().create(new StoreContext(ProviderOptions.of("path", file.toString())))) {
            store.open(); // creates the schema
        }

        try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + file)) {
            for (String sql : Schema.PLANNED) {
                List<String> plan = plan(c, sql);
                assertThat(plan).as("plan of %s", sql).isNotEmpty();
                for (String step : plan) {
                    assertThat(step).as("plan of %s: %s", sql, plan).doesNotContain("TEMP B-TREE");
                    if (sql.equals(Schema.LOGS)) {
                        // logs() returns every row of the small logs table, in primary-key order
                        assertThat(step).as("plan of %s", sql).isEqualTo("SCAN logs");
                    } else {
                        assertThat(step).as("plan of %s: %s", sql, plan).doesNotStartWith("SCAN");
                        assertThat(step).as("plan of %s: %s", sql, plan).containsAnyOf("USING INDEX",
                                "USING COVERING INDEX", "USING PRIMARY KEY", "CORRELATED SCALAR SUBQUERY");
                    }
                }
            }
        }
    }

    private static List<String> plan(Connection c, String sql) throws SQLException {
        List<String> steps = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("EXPLAIN QUERY PLAN " + sql)) {
            while (rs.next()) {
                steps.add(rs.getString("detail"));
            }
        }
        return steps;
    }
}
