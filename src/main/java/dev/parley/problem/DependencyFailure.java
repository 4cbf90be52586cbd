package dev.parley.problem;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

import io.vertx.core.VertxException;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

/**
 * Recognises failures of a backing service (PostgreSQL, Redis unreachable, a connection closed or
 * reset, a server shutting down or starting up, a timeout), which the protocol reports as {@code unavailable}: nothing was stored, retry is safe.
 */
public final class DependencyFailure {

    private DependencyFailure() {
    }

    public static boolean is(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            // any I/O failure: a connection refused, reset or closed surfaces as a SocketException, a
            // ClosedChannelException or, from a write on a socket the peer reset, a bare IOException
            if (t instanceof IOException || t instanceof ClosedConnectionException
                    || t instanceof TimeoutException || t instanceof io.smallrye.mutiny.TimeoutException
                    || t instanceof VertxException && String.valueOf(t.getMessage()).contains("closed")
                    || t instanceof PgException pg && unavailableState(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    // Class 08: connection exceptions; 57P01-57P03: the server is shutting down or starting up.
    private static boolean unavailableState(String state) {
        return state != null && (state.startsWith("08") || state.startsWith("57P"));
    }
}
