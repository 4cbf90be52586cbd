package dev.parley.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Makes sure the test database exists on the local PostgreSQL before the application (and Flyway)
 * start. The database is kept between runs; tests use fresh names so they never depend on leftovers.
 */
public class DatabaseTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String DATABASE = "parley_test";

    @Override
    public Map<String, String> start() {
        String host = System.getenv().getOrDefault("PARLEY_DB_HOST", "localhost");
        String port = System.getenv().getOrDefault("PARLEY_DB_PORT", "5432");
        String user = System.getenv().getOrDefault("PARLEY_DB_USER", "postgres");
        String password = System.getenv().getOrDefault("PARLEY_DB_PASSWORD", "");
        String url = "jdbc:postgresql://" + host + ":" + port + "/postgres";
        try (Connection c = DriverManager.getConnection(url, user, password);
                PreparedStatement exists = c.prepareStatement("select 1 from pg_database where datname = ?")) {
            exists.setString(1, DATABASE);
            try (ResultSet rs = exists.executeQuery()) {
                if (!rs.next()) {
                    try (Statement create = c.createStatement()) {
                        create.execute("create database " + DATABASE);
                    }
                }
            }
        } catch (SQLException e) {
            if (!"42P04".equals(e.getSQLState())) { // created concurrently by another test JVM
                throw new IllegalStateException("Cannot prepare the test database on " + url, e);
            }
        }
        return Map.of("parley.db.name", DATABASE);
    }

    @Override
    public void stop() {
        // the database stays for the next run
    }
}
