package dev.parley.auth;

import java.util.LinkedHashSet;
import java.util.Set;

import org.eclipse.microprofile.jwt.Claims;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The verified claims of a token Parley issued. It keeps only the claims Parley reads, not the raw
 * token or its JSON: a connection holds its principal for as long as it is open, and there may be
 * tens of thousands.
 */
public record ParleyJwt(String issuer, String subject, Set<String> audience, long issuedAt, long expiresAt,
        String username, String displayName, String kind) implements JsonWebToken {

    /** Named by {@code sub}, as the OIDC tenants name their principals. */
    @Override
    public String getName() {
        return subject;
    }

    @Override
    public Set<String> getClaimNames() {
        Set<String> names = new LinkedHashSet<>();
        for (String claim : new String[] { "iss", "sub", "aud", "iat", "exp", "upn", "preferred_username", "name", "kind" }) {
            if (getClaim(claim) != null) {
                names.add(claim);
            }
        }
        return names;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getClaim(String claimName) {
        Object value = switch (claimName) {
            case "iss" -> issuer;
            case "sub" -> subject;
            case "aud" -> audience;
            case "iat" -> issuedAt;
            case "exp" -> expiresAt;
            case "upn", "preferred_username" -> username;
            case "name" -> displayName;
            case "kind" -> kind;
            // MP JWT reads groups through getClaim: Parley's tokens carry none
            default -> Claims.groups.name().equals(claimName) ? Set.of() : null;
        };
        return (T) value;
    }
}
