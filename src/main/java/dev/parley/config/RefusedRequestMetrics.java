package dev.parley.config;

import java.util.Set;

import org.jboss.logging.Logger;

import io.quarkus.micrometer.runtime.binder.vertx.HttpRequestMetric;
import io.vertx.ext.web.RoutingContext;

/**
 * Keeps refused requests from minting a metric tag each. Quarkus tags {@code http.server.requests}
 * with the endpoint's template, but a request refused before an endpoint matched it (no token, a
 * method the path does not take, a guard's refusal) has none and is tagged with its raw path: random
 * ids and paths would each become a tag until Micrometer's cap, after which real endpoints first seen
 * later go unrecorded. Such an answer is tagged with the API resource it aimed at and a wildcard
 * instead (or with {@code REFUSED} outside the API's resources), set as the answer's headers are
 * written, after any endpoint has set its own template.
 * This uses Quarkus's Micrometer binder class for the request's metric; if it is absent or changes,
 * the tag stays the raw path and {@code RestFuzzTest}'s check on tags fails.
 */
final class RefusedRequestMetrics {

    private static final Logger LOG = Logger.getLogger(RefusedRequestMetrics.class);

    private RefusedRequestMetrics() {
    }

    static void tag(RoutingContext context) {
        if (context.response().getStatusCode() < 400) {
            return;
        }
        try {
            HttpRequestMetric metric = HttpRequestMetric.getRequestMetric(context);
            if (metric != null) {
                metric.setTemplatePath(coarse(context.request().path())); // a no-op when an endpoint set one
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.debugf("No metric template for a refused request: %s", e);
        }
    }

    // the API's resources: a refused request is tagged with its resource, anything else with one tag
    private static final Set<String> RESOURCES = Set.of("rooms", "bots", "attachments", "auth", "dms", "me", "search");

    /** {@code /api/rooms/123/bans/x} → {@code /api/rooms/*}; any other path → {@code REFUSED}. */
    static String coarse(String path) {
        String[] segments = path == null ? new String[0] : path.split("/", 4);
        if (segments.length >= 3 && segments[1].equals("api") && RESOURCES.contains(segments[2])) {
            return "/api/" + segments[2] + (segments.length > 3 ? "/*" : "");
        }
        return "REFUSED";
    }
}
