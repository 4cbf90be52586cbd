package dev.parley.realtime;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;

import dev.parley.auth.CurrentUserService;
import dev.parley.auth.UserView;
import dev.parley.limit.ConnectionLimit;
import dev.parley.problem.DependencyFailure;
import dev.parley.problem.ErrorCode;
import dev.parley.problem.ParleyException;
import dev.parley.problem.ProblemMapper;

/**
 * Finds the user behind the verified token before the upgrade, so that a token of an unknown user
 * gets HTTP 401 (and a database outage 503) instead of a socket that opens and closes, and takes the
 * connection's slot among the user's open connections: a user who has the most already, or is over
 * the request budget, gets HTTP 429. The user
 * travels to the connection in its user data.
 */
@ApplicationScoped
public class ConnectionUserCheck implements HttpUpgradeCheck {

    static final UserData.TypedKey<UserView> USER = new UserData.TypedKey<>("parley.user");
    static final UserData.TypedKey<String> SLOT = new UserData.TypedKey<>("parley.slot");
    private static final Logger LOG = Logger.getLogger(ConnectionUserCheck.class);

    private final CurrentUserService currentUser;
    private final ConnectionLimit connections;

    public ConnectionUserCheck(CurrentUserService currentUser, ConnectionLimit connections) {
        this.currentUser = currentUser;
        this.connections = connections;
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        return context.securityIdentity()
                .chain(identity -> identity == null || identity.isAnonymous()
                        ? Uni.createFrom().failure(ParleyException.unauthorized("no token"))
                        : currentUser.resolve(identity))
                .chain(user -> connections.acquire(user.id()).map(slot -> {
                    context.userData().put(USER, user);
                    if (slot != null) {
                        context.userData().put(SLOT, slot);
                    }
                    // The identity is resolved (and memoized): the bearer token is not needed any more, and
                    // the upgrade's headers stay referenced for the connection's life, copied once more
                    // into its handshake request. Dropping it here keeps tokens out of long-lived memory.
                    context.httpRequest().headers().remove(HttpHeaders.AUTHORIZATION);
                    return CheckResult.permitUpgradeSync();
                }))
                .onFailure().recoverWithUni(e -> {
                    if (e instanceof ParleyException p && p.code() == ErrorCode.UNAUTHORIZED) {
                        return CheckResult.rejectUpgrade(401, Map.of("WWW-Authenticate", List.of("Bearer")));
                    }
                    if (e instanceof ParleyException p && p.code() == ErrorCode.RATE_LIMITED) {
                        // too many open connections, or over the request budget: nothing is opened
                        return CheckResult.rejectUpgrade(429, p.retryAfter()
                                .map(wait -> Map.of("Retry-After", List.of(Long.toString(ProblemMapper.seconds(wait)))))
                                .orElse(Map.of()));
                    }
                    LOG.warnf("Cannot look up the user of a WebSocket upgrade: %s", e.toString());
                    return CheckResult.rejectUpgrade(DependencyFailure.is(e) ? 503 : 500);
                });
    }
}
