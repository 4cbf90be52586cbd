package dev.parley.auth;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.smallrye.mutiny.Uni;

/**
 * Parley's tokens where Quarkus asks identity providers directly (a {@link TokenAuthenticationRequest}
 * that did not come through {@link ParleyBearerMechanism}), ahead of the OIDC tenants' provider, so
 * that Parley's tokens get the same check and the same identity on every path. A token of another
 * issuer yields no identity here and goes on to the next provider (Keycloak's tenant).
 */
@ApplicationScoped
public class ParleyTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    private final ParleyTokenVerifier verifier;

    public ParleyTokenIdentityProvider(ParleyTokenVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public int priority() {
        return ParleyTokenVerifier.AHEAD_OF_OIDC;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        return verifier.authenticate(request.getToken().getToken());
    }
}
