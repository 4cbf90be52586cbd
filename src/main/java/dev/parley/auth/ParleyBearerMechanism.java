package dev.parley.auth;

import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Takes the bearer tokens Parley issued straight to {@link ParleyTokenIdentityProvider}, ahead of
 * the OIDC mechanism, whose per-request tenant resolution (decoding the token to find its issuer's
 * tenant) Parley's own tokens do not need. Any other bearer token, or none, is left to the OIDC
 * mechanism that runs next.
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
        String token = authorization.substring(BEARER.length()).trim();
        if (!verifier.isParleyToken(token)) {
            return Uni.createFrom().nullItem();
        }
        return identityProviderManager.authenticate(HttpSecurityUtils.setRoutingContextAttribute(
                new TokenAuthenticationRequest(new TokenCredential(token, "bearer")), context));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(CHALLENGE);
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

    // Above the OIDC mechanism (1001 by default).
    @Override
    public int getPriority() {
        return 2000;
    }
}
