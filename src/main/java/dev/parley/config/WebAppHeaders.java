package dev.parley.config;

import java.net.URI;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.vertx.ext.web.Router;

/**
 * The security headers of the web app's pages and scripts (not of /q/*: Swagger UI needs inline
 * scripts): scripts and styles from this origin only, no inline script, no framing, no plugins. The
 * page may connect to this origin ('self' covers ws/wss in current browsers) and, when a Keycloak
 * realm is configured, to that realm only (discovery, token and refresh calls of the sign-in).
 * Every answer under /api carries {@code X-Content-Type-Options: nosniff}.
 */
@Singleton
public class WebAppHeaders {

    private static final String PAGES = "/(index\\.html|app/.*|lib/.*|vendor/.*)?";

    private final String policy;

    public WebAppHeaders(ParleyConfig config) {
        this.policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'"
                + (config.keycloak().enabled() ? " " + realmSource(config.keycloak().url()) : "")
                + "; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
    }

    void install(@Observes Router router) {
        router.routeWithRegex(PAGES).order(Integer.MIN_VALUE).handler(context -> {
            context.response().headers()
                    .set("Content-Security-Policy", policy)
                    .set("X-Content-Type-Options", "nosniff")
                    .set("Referrer-Policy", "no-referrer");
            context.next();
        });
        // every API answer, errors and Quarkus's own 401s included: a JSON or problem body is never
        // sniffed into something a browser would render
        router.route("/api/*").order(Integer.MIN_VALUE).handler(context -> {
            context.response().headers().set("X-Content-Type-Options", "nosniff");
            context.next();
        });
    }

    // A source with a path ending in '/' allows everything below it, and nothing else of that host.
    private static String realmSource(String realmUrl) {
        URI realm = URI.create(realmUrl);
        String path = realm.getRawPath() == null ? "" : realm.getRawPath();
        return realm.getScheme() + "://" + realm.getRawAuthority() + (path.endsWith("/") ? path : path + "/");
    }
}
