package dev.parley.auth;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Turns a bearer token of Parley's own issuer into an identity, ahead of the OIDC tenants: the
 * OIDC layer's general path (tenant configuration, jose4j, the token kept in several forms) costs
 * more CPU per WebSocket upgrade and more memory per open connection than Parley's tokens need.
 * A token of another issuer yields no identity here and goes on to the next provider (Keycloak's
 * tenant).
 */
@ApplicationScoped
public class ParleyTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    /** The attribute websockets-next reads to close a connection when its identity expires. */
    static final String EXPIRE_TIME = "quarkus.identity.expire-time";

    private final ParleyTokenVerifier verifier;

    public ParleyTokenIdentityProvider(ParleyTokenVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    // Above quarkus-oidc's providers (the default priority, 1001), so that they only see other issuers' tokens.
    @Override
    public int priority() {
        return 2000;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        try {
            ParleyJwt jwt = verifier.verify(request.getToken().getToken(), System.currentTimeMillis() / 1000);
            return jwt == null ? Uni.createFrom().nullItem() : Uni.createFrom().item(identity(jwt));
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
    }

    static SecurityIdentity identity(ParleyJwt jwt) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(jwt)
                .addAttribute(EXPIRE_TIME, jwt.expiresAt())
                .build();
    }
}
