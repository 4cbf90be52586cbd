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
        synchronized (DatabaseTestResource.class) {
            if (!created) {
                recreate(DATABASE);
                created = true;
            }
        }
        return Map.of("parley.db.name", DATABASE);
    }

    /** Drops and creates a database on the local PostgreSQL (PARLEY_DB_* variables, else defaults). */
    public static void recreate(String database) {
        try (Connection c = connect("postgres");
                Statement s = c.createStatement()) {
            s.execute("drop database if exists " + database + " with (force)");
            s.execute("create database " + database);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create the test database " + database, e);
        }
    }

    /** A JDBC connection to {@code database} on the local PostgreSQL, for looking at what a test stored. */
    public static Connection connect(String database) throws SQLException {
        String host = System.getenv().getOrDefault("PARLEY_DB_HOST", "localhost");
        String port = System.getenv().getOrDefault("PARLEY_DB_PORT", "5432");
        String user = System.getenv().getOrDefault("PARLEY_DB_USER", "postgres");
        String password = System.getenv().getOrDefault("PARLEY_DB_PASSWORD", "");
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, user, password);
    }

    @Override
    public void stop() {
        // kept until the next run, for looking into after a failure
    }
}
