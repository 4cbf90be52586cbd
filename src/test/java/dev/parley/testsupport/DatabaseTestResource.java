package dev.parley.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Creates a new, empty test database on the local PostgreSQL for every test run, before the
 * application (and Flyway) start, so no run depends on what an earlier one left behind.
 */
public class DatabaseTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String DATABASE = "parley_test";

    // Quarkus starts this resource again for every test profile; the database is made once per JVM.
    private static boolean created;

    @Override
    public Map<String, String> start() {
        String host = System.getenv().getOrDefault("PARLEY_DB_HOST", "localhost");
        String port = System.getenv().getOrDefault("PARLEY_DB_PORT", "5432");
        String user = System.getenv().getOrDefault("PARLEY_DB_USER", "postgres");
        String password = System.getenv().getOrDefault("PARLEY_DB_PASSWORD", "");
        String url = "jdbc:postgresql://" + host + ":" + port + "/postgres";
        synchronized (DatabaseTestResource.class) {
            if (!created) {
                    try (Connection c = DriverManager.getConnection(url, user, password);
                        Statement s = c.createStatement()) {
                    s.execute("drop database if exists " + DATABASE + " with (force)");
                    s.execute("create database " + DATABASE);
                    created = true;
                } catch (SQLException e) {
                    throw new IllegalStateException("Cannot create the test database on " + url, e);
                }
            }
        }
        return Map.of("parley.db.name", DATABASE);
    }

    @Override
    public void stop() {
        // kept until the next run, for looking into after a failure
    }
}
