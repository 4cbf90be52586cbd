package dev.parley.problem;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

import io.vertx.core.VertxException;

/**
 * Recognises failures of a backing service (PostgreSQL, Redis unreachable, a closed connection, a
 * timeout), which the protocol reports as {@code unavailable}: nothing was stored, retry is safe.
 */
public final class DependencyFailure {

    private DependencyFailure() {
    }

    public static boolean is(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof TimeoutException
                    || t instanceof io.smallrye.mutiny.TimeoutException
                    || t instanceof VertxException && String.valueOf(t.getMessage()).contains("closed")) {
                return true;
            }
        }
        return false;
    }
}
