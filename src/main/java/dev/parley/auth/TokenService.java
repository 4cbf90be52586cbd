package dev.parley.auth;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;

import dev.parley.config.ParleyConfig;

/**
 * Mints the RS256 tokens of built-in accounts. {@link ParleyTokenVerifier} verifies them
 * with the public key from the same configuration.
 */
// Built at start, so a missing or mismatched key pair stops the service before it serves anything.
@Startup
@ApplicationScoped
public class TokenService {

    private final ParleyConfig config;
    private final PrivateKey signingKey;

    public TokenService(ParleyConfig config) {
        this.config = config;
        try {
            this.signingKey = KeyUtils.decodePrivateKey(config.auth().signingKey());
            requireMatchingPair(signingKey, KeyUtils.decodePublicKey(config.auth().publicKey()));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalStateException(
                    "parley.auth.signing-key and parley.auth.public-key must be a matching RSA key pair in PEM", e);
        }
    }

    public record IssuedToken(String token, long expiresInSeconds) {
    }

    public IssuedToken issueFor(User user) {
        return issue(user, config.auth().tokenLifetime());
    }

    public IssuedToken issue(User user, Duration lifetime) {
        Instant now = Instant.now();
        String token = Jwt.issuer(config.auth().issuer())
                .subject(user.id)
                .upn(user.username)
                .preferredUserName(user.username)
                .claim("name", user.shownName())
                .claim("kind", user.kind)
                .audience(config.auth().audience())
                .issuedAt(now)
                .expiresAt(now.plus(lifetime))
                .jws()
                .keyId("parley")
                .sign(signingKey);
        return new IssuedToken(token, lifetime.toSeconds());
    }

    // A mismatched pair would mint tokens nobody can verify: fail at start instead.
    private static void requireMatchingPair(PrivateKey privateKey, PublicKey publicKey)
            throws GeneralSecurityException {
        byte[] probe = "parley-key-check".getBytes();
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(privateKey);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(publicKey);
        verifier.update(probe);
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException("the public key does not match the signing key");
        }
    }
}
