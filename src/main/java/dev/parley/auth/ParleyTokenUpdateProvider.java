package dev.parley.auth;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.websockets.next.runtime.spi.security.WebSocketIdentityUpdateRequest;
import io.smallrye.mutiny.Uni;

/**
 * The WebSocket {@code auth} frame with a fresh Parley token: verified like any Parley token, and
 * accepted only for the user the connection already belongs to. Other issuers' tokens go on to the
 * OIDC tenants' provider, which applies the same rule.
 */
@ApplicationScoped
public class ParleyTokenUpdateProvider implements IdentityProvider<WebSocketIdentityUpdateRequest> {

    private final ParleyTokenVerifier verifier;

    public ParleyTokenUpdateProvider(ParleyTokenVerifier verifier) {
        this.verifier = verifier;
    }

    @Override
    public Class<WebSocketIdentityUpdateRequest> getRequestType() {
        return WebSocketIdentityUpdateRequest.class;
    }

    @Override
    public int priority() {
        return ParleyTokenVerifier.AHEAD_OF_OIDC;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(WebSocketIdentityUpdateRequest request, AuthenticationRequestContext context) {
        String current = request.getCurrentSecurityIdentity().getPrincipal().getName();
        return verifier.authenticate(request.getCredential().getToken())
                .onItem().ifNotNull().transformToUni(identity -> identity.getPrincipal().getName().equals(current)
                        ? Uni.createFrom().item(identity)
                        : Uni.createFrom().failure(new AuthenticationFailedException("the new token names another user")));
    }
}
