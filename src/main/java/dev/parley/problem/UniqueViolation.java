package dev.parley.problem;

import io.vertx.pgclient.PgException;

/** Recognises PostgreSQL unique-constraint violations (SQLSTATE 23505) however deep they are wrapped. */
public final class UniqueViolation {

    private UniqueViolation() {
    }

    public static boolean is(Throwable failure) {
        return constraint(failure) != null;
    }

    /** The violated constraint's name, or null when the failure is no unique violation. */
    public static String constraint(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PgException pg && "23505".equals(pg.getSqlState())) {
                return pg.getConstraint() == null ? "" : pg.getConstraint();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }
}
