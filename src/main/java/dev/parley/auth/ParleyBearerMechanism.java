package dev.parley.auth;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import dev.parley.problem.ProblemResponses;

/**
 * Authenticates the bearer tokens Parley issued, ahead of the OIDC mechanism, whose per-request
 * tenant resolution Parley's own tokens do not need. Any other bearer token, or none, is left to
 * the OIDC mechanism that runs next.
 *
 * <p>The identity is built here rather than through the identity-provider chain: a WebSocket
 * connection keeps its authentication pipeline for as long as it is open, and that chain would
 * keep the raw token and a dozen operators alive with it. Parley registers no identity augmentors.
 */
@ApplicationScoped
public class ParleyBearerMechanism implements HttpAuthenticationMechanism {

    private static final String BEARER = "bearer ";
    private static final ChallengeData CHALLENGE = new ChallengeData(401, "WWW-Authenticate", "Bearer");

    private final ParleyTokenVerifier verifier;

    public ParleyBearerMechanism(ParleyTokenVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String authorization = context.request().headers().get(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Uni.createFrom().nullItem();
        }
        return verifier.authenticate(authorization.substring(BEARER.length()).trim());
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(CHALLENGE);
    }

    // The challenge Quarkus sends itself (a WebSocket upgrade without a valid token; REST goes
    // through the exception mappers) reads like every other error: 401, Bearer, a problem document.
    @Override
    public Uni<Boolean> sendChallenge(RoutingContext context) {
        ProblemResponses.end(context.response(), 401, "A valid bearer token is required");
        return Uni.createFrom().item(true);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }

    // Not selectable per path: it only ever sees tokens the OIDC bearer mechanism would accept too.
    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().nullItem();
    }

    @Override
    public int getPriority() {
        return ParleyTokenVerifier.AHEAD_OF_OIDC;
    }
}
