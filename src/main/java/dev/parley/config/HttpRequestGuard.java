package dev.parley.config;

import java.util.Locale;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

import dev.parley.problem.ProblemResponses;

/**
 * Refusals made on the request as it arrived, before any route sees it, and the problem document
 * for every refusal made outside JAX-RS.
 * <ul>
 * <li>A raw path with a "." or ".." segment, or with an encoded '/', '\' or '.' ({@code %2F},
 * {@code %5C}, {@code %2E}), or a '\': 400. Vert.x routes the normalised path, so
 * {@code DELETE /api/rooms/{id}/bans/..} would otherwise reach {@code DELETE /api/rooms/{id}}; no
 * API path has such a segment, so nothing legitimate is refused.</li>
 * <li>Two Host headers: 400 (RFC 9112 3.2), which side would read which is not ours to guess.</li>
 * <li>A Content-Length over {@code quarkus.http.limits.max-body-size}: 413 before the body is read.</li>
 * <li>A failure that reaches the router rather than a JAX-RS mapper (a body over the limit sent
 * chunked, an authentication refused at the WebSocket upgrade): its status with a problem document,
 * logged at DEBUG in one line, since a client's bad request is no server error.</li>
 * </ul>
 */
@Singleton
public class HttpRequestGuard {

    private static final Logger LOG = Logger.getLogger(HttpRequestGuard.class);

    private final long maxBody;

    public HttpRequestGuard() {
        this.maxBody = ConfigProvider.getConfig().getOptionalValue("quarkus.http.limits.max-body-size", MemorySize.class)
                .map(MemorySize::asLongValue).orElse(Long.MAX_VALUE);
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::check).failureHandler(HttpRequestGuard::failed);
    }

    private void check(RoutingContext context) {
        HttpServerRequest request = context.request();
        context.addHeadersEndHandler(v -> RefusedRequestMetrics.tag(context));
        if (request.headers().getAll("Host").size() > 1) {
            ProblemResponses.end(context.response(), 400, "more than one Host header");
            return;
        }
        String refusal = RawPaths.refusal(request.path());
        if (refusal != null) {
            ProblemResponses.end(context.response(), 400, refusal);
            return;
        }
        String length = request.getHeader("Content-Length");
        if (length != null && tooLong(length)) {
            context.response().putHeader("Connection", "close");
            ProblemResponses.end(context.response(), 413, "the body exceeds " + maxBody + " bytes");
            return;
        }
        context.next();
    }

    private boolean tooLong(String length) {
        try {
            return Long.parseLong(length.strip()) > maxBody;
        } catch (NumberFormatException e) {
            return false; // the HTTP codec refuses a malformed Content-Length itself
        }
    }

    private static void failed(RoutingContext context) {
        int status = status(context);
        if (status < 400 || status >= 500) {
            context.next();
            return;
        }
        if (context.response().headWritten()) {
            // answered already (an authentication challenge): nothing more may be written, and the
            // failure is no server error worth a stack trace
            LOG.debugf("Refused %s %s: %s", context.request().method(), context.request().path(), context.failure());
            if (!context.response().ended()) {
                context.response().end();
            }
            return;
        }
        LOG.debugf("Refused %s %s with %d: %s", context.request().method(), context.request().path(), status,
                context.failure() == null ? "-" : context.failure().toString());
        if (status == 413) {
            context.response().putHeader("Connection", "close");
        }
        ProblemResponses.end(context.response(), status, detail(status));
    }

    private static int status(RoutingContext context) {
        Throwable failure = context.failure();
        if (failure instanceof AuthenticationFailedException || failure instanceof AuthenticationCompletionException
                || failure instanceof UnauthorizedException) {
            return 401;
        }
        if (failure instanceof ForbiddenException) {
            return 403;
        }
        if (failure instanceof HttpException http) {
            return http.getStatusCode();
        }
        return failure == null ? context.statusCode() : -1;
    }

    private static String detail(int status) {
        return switch (status) {
            case 401 -> "A valid bearer token is required";
            case 403 -> "Not allowed";
            case 413 -> "the body is too large";
            default -> "the request was refused (" + status + ")";
        };
    }

    /** The rule for raw request paths. */
    static final class RawPaths {

        private RawPaths() {
        }

        /** Why the raw (undecoded) path is refused, or null. */
        static String refusal(String rawPath) {
            if (rawPath == null) {
                return null;
            }
            String lower = rawPath.toLowerCase(Locale.ROOT);
            if (lower.contains("%2f") || lower.contains("%5c") || lower.contains("\\")) {
                return "the path must not contain an encoded '/' or a '\\'";
            }
            for (String segment : lower.split("/", -1)) {
                String dots = segment.replace("%2e", ".");
                if (dots.equals(".") || dots.equals("..") || !dots.equals(segment)) {
                    return "the path must not contain '.' or '..' segments or encoded dots";
                }
            }
            return null;
        }
    }
}
