package dev.parley.realtime;

import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;

import dev.parley.config.ParleyConfig;

/**
 * Refuses WebSocket upgrades from browser pages whose Origin is not allowed, so that another site
 * cannot open a socket with a token it got hold of. Clients without an Origin header are not
 * browsers and pass.
 */
@ApplicationScoped
public class OriginCheck implements HttpUpgradeCheck {

    private final List<String> allowed;

    public OriginCheck(ParleyConfig config) {
        this.allowed = config.websocket().allowedOrigins().stream().map(OriginCheck::normalise).toList();
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        String origin = context.httpRequest().getHeader("Origin");
        if (origin == null || allowed.contains("*") || allowed.contains(normalise(origin))) {
            return CheckResult.permitUpgrade();
        }
        return CheckResult.rejectUpgrade(403);
    }

    private static String normalise(String origin) {
        String o = origin.strip().toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }
}
