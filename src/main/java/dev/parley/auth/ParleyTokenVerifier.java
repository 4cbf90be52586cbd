package dev.parley.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.jwt.util.KeyUtils;
import io.smallrye.mutiny.Uni;

import dev.parley.config.ParleyConfig;

/**
 * Verifies the RS256 tokens Parley mints and turns them into identities, on the hot path of every
 * WebSocket upgrade and REST call.
 * Tokens of any other issuer are not judged here: they go on to the OIDC tenants (Keycloak).
 *
 * <p>A token of Parley's issuer is accepted only when all of these hold: three base64url parts; a
 * header whose {@code alg} is exactly RS256 (so neither "none" nor an HMAC keyed with the public
 * key can pass), with no {@code crit} extensions; a valid signature under the configured public
 * key; {@code sub}; {@code aud} naming Parley's audience; {@code iat}; {@code exp} in the future;
 * {@code iat}, and {@code nbf} when present, not beyond {@link TokenTimes}' clock skew in the future.
 */
@ApplicationScoped
public class ParleyTokenVerifier {

    /**
     * The priority of Parley's mechanism and identity providers: above quarkus-oidc's (1001, which is
     * also what {@code IdentityProvider.priority()} defaults to), so OIDC only sees other issuers' tokens.
     */
    static final int AHEAD_OF_OIDC = 2000;

    private static final Base64.Decoder BASE64URL = Base64.getUrlDecoder();
    private static final String EXPIRE_TIME = "quarkus.identity.expire-time";

    private final ObjectMapper json = new ObjectMapper();
    private final PublicKey publicKey;
    private final String issuer;
    private final String audience;
    // Signature objects are stateful and not thread-safe; each event-loop thread keeps its own.
    private final ThreadLocal<Signature> verifiers;

    @Inject
    public ParleyTokenVerifier(ParleyConfig config) {
        this(publicKey(config.auth().publicKey()), config.auth().issuer(), config.auth().audience());
    }

    ParleyTokenVerifier(PublicKey publicKey, String issuer, String audience) {
        this.publicKey = publicKey;
        this.issuer = issuer;
        this.audience = audience;
        this.verifiers = ThreadLocal.withInitial(() -> {
            try {
                return Signature.getInstance("SHA256withRSA");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("SHA256withRSA is not available", e);
            }
        });
    }

    private static PublicKey publicKey(String pem) {
        try {
            return KeyUtils.decodePublicKey(pem);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("parley.auth.public-key is not an RSA public key", e);
        }
    }

    /**
     * The identity of a valid Parley token, checked now: a null item when the token is not a JWT of
     * Parley's issuer (another mechanism or provider judges it), a failure when it is but fails a check.
     */
    public Uni<SecurityIdentity> authenticate(String token) {
        try {
            ParleyJwt jwt = verify(token, System.currentTimeMillis() / 1000);
            return jwt == null ? Uni.createFrom().nullItem() : Uni.createFrom().item(identity(jwt));
        } catch (RuntimeException e) {
            return Uni.createFrom().failure(e);
        }
    }

    // The principal keeps only the claims; the expiry attribute is what websockets-next reads to
    // close a connection with 1008 when its identity expires.
    private static SecurityIdentity identity(ParleyJwt jwt) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(jwt)
                .addAttribute(EXPIRE_TIME, jwt.expiresAt())
                .build();
    }

    /**
     * The claims of a valid Parley token; null when the token is not a JWT of Parley's issuer.
     *
     * @throws AuthenticationFailedException when it names Parley as issuer but fails any check
     */
    public ParleyJwt verify(String token, long nowSeconds) {
        int first = token.indexOf('.');
        int second = first < 0 ? -1 : token.indexOf('.', first + 1);
        if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0) {
            return null;
        }
        JsonNode claims = decode(token.substring(first + 1, second));
        if (claims == null || !issuer.equals(text(claims, "iss"))) {
            return null;
        }
        JsonNode header = decode(token.substring(0, first));
        if (header == null || !"RS256".equals(text(header, "alg")) || header.has("crit")) {
            throw rejected("algorithm or header not accepted");
        }
        if (!signatureValid(token, first, second)) {
            throw rejected("signature does not verify");
        }
        String subject = text(claims, "sub");
        if (subject == null || subject.isEmpty()) {
            throw rejected("no subject");
        }
        Set<String> audiences = audiences(claims.get("aud"));
        if (!audiences.contains(audience)) {
            throw rejected("audience not accepted");
        }
        Long issuedAt = number(claims, "iat");
        Long expiresAt = number(claims, "exp");
        Long notBefore = number(claims, "nbf");
        if (issuedAt == null || expiresAt == null) {
            throw rejected("iat and exp are required");
        }
        if (expiresAt <= nowSeconds) {
            throw rejected("token expired");
        }
        String early = TokenTimes.refusal(issuedAt, notBefore, nowSeconds);
        if (early != null) {
            throw rejected(early);
        }
        String username = text(claims, "preferred_username");
        return new ParleyJwt(issuer, subject, audiences, issuedAt, expiresAt,
                username != null ? username : text(claims, "upn"), text(claims, "name"), text(claims, "kind"));
    }

    private boolean signatureValid(String token, int first, int second) {
        try {
            byte[] signature = BASE64URL.decode(token.substring(second + 1));
            Signature verifier = verifiers.get();
            verifier.initVerify(publicKey);
            verifier.update(token.substring(0, second).getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private JsonNode decode(String part) {
        try {
            JsonNode node = json.readTree(BASE64URL.decode(part));
            return node != null && node.isObject() ? node : null;
        } catch (IllegalArgumentException | IOException e) {
            return null; // not base64url or not JSON: not a token of ours
        }
    }

    private static Set<String> audiences(JsonNode aud) {
        Set<String> audiences = new LinkedHashSet<>();
        if (aud != null && aud.isTextual()) {
            audiences.add(aud.asText());
        } else if (aud != null && aud.isArray()) {
            aud.forEach(a -> {
                if (a.isTextual()) {
                    audiences.add(a.asText());
                }
            });
        }
        return Set.copyOf(audiences);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static Long number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isIntegralNumber() ? value.asLong() : null;
    }

    private static AuthenticationFailedException rejected(String why) {
        return new AuthenticationFailedException("Parley token rejected: " + why);
    }
}
