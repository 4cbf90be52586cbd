package dev.parley.auth;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.jwt.JsonWebToken;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;

/**
 * Applies {@link TokenTimes} to tokens verified by quarkus-oidc (the Keycloak realm). quarkus-oidc
 * checks {@code nbf} and {@code exp} (jose4j, no skew unless lifespan-grace is set) and, with
 * {@code token.age}, that {@code iat} is not too old, but accepts an {@code iat} any distance in
 * the future. Failing here fails the authentication: 401 on REST and on the WebSocket upgrade.
 * Parley's own tokens never pass through augmentors (ParleyBearerMechanism builds their identity
 * itself and ParleyTokenVerifier applies the same rule).
 */
@ApplicationScoped
public class OidcTokenTimes implements SecurityIdentityAugmentor {

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt) || jwt instanceof ParleyJwt) {
            return Uni.createFrom().item(identity);
        }
        String refusal = TokenTimes.refusal(seconds(jwt.getClaim("iat")), seconds(jwt.getClaim("nbf")),
                System.currentTimeMillis() / 1000);
        return refusal == null ? Uni.createFrom().item(identity)
                : Uni.createFrom().failure(new AuthenticationFailedException("OIDC token rejected: " + refusal));
    }

    private static Long seconds(Object claim) {
        if (claim instanceof Number n) {
            return n.longValue();
        }
        if (claim instanceof jakarta.json.JsonNumber n) {
            return n.longValue();
        }
        return null;
    }
}
