package dev.parley.realtime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;

import org.jboss.logging.Logger;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.vertx.http.runtime.filters.QuarkusRequestWrapper;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;

/**
 * Tells Quarkus's graceful shutdown that an HTTP request upgraded to a WebSocket is over as an HTTP
 * request: from then on its socket belongs to {@link ConnectionDrain}.
 * <p>
 * Quarkus 3.33's graceful-shutdown filter counts a request as in flight until its response ends or
 * its connection closes, as Vert.x reports them to the response. After an upgrade Vert.x reports
 * neither, so every WebSocket ever served stayed counted and each shutdown sat out the whole
 * {@code quarkus.shutdown.timeout} (20 s) and logged an ERROR, though the drain had closed every
 * socket. The filter has no public way to be told; its request wrapper's {@code done()} is the one it
 * listens to, reached here by reflection. Should a later Quarkus rename it, nothing breaks: shutdown
 * only waits out the timeout again.
 */
@RegisterForReflection(targets = QuarkusRequestWrapper.class, methods = true, fields = false)
final class UpgradedRequests {

    private static final Logger LOG = Logger.getLogger(UpgradedRequests.class);
    private static final MethodHandle DONE = findDone();

    private UpgradedRequests() {
    }

    /** Stops the request from counting as in flight; calling it again, or after the response ended, does nothing. */
    static void release(HttpServerRequest request) {
        if (DONE == null || request == null) {
            return;
        }
        // a request carries the wrapper only when quarkus.shutdown.timeout is set
        Cookie marker = request.getCookie(QuarkusRequestWrapper.FAKE_COOKIE_NAME);
        if (!(marker instanceof QuarkusRequestWrapper.QuarkusCookie carrier)) {
            return;
        }
        try {
            DONE.invoke(carrier.getRequestWrapper());
        } catch (Throwable e) {
            LOG.debugf(e, "Could not mark an upgraded request as done for the graceful shutdown");
        }
    }

    private static MethodHandle findDone() {
        try {
            Method done = QuarkusRequestWrapper.class.getDeclaredMethod("done");
            done.setAccessible(true);
            return MethodHandles.lookup().unreflect(done);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.infof("Quarkus's request wrapper has no done() here (%s): shutdown waits out quarkus.shutdown.timeout "
                    + "once a WebSocket was served", e);
            return null;
        }
    }
}
