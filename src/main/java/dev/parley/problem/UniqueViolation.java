package dev.parley.problem;

import java.sql.SQLException;

import io.vertx.pgclient.PgException;

/**
 * Recognises PostgreSQL unique-constraint violations (SQLSTATE 23505) however they are wrapped:
 * the reactive client raises {@link PgException}, Hibernate Reactive wraps it as a
 * {@link SQLException} inside its own exception.
 */
public final class UniqueViolation {

    private static final String UNIQUE_VIOLATION = "23505";

    private UniqueViolation() {
    }

    public static boolean is(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
                    || t instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }
}
