package dev.parley.testsupport;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import org.eclipse.microprofile.config.ConfigProvider;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.jwt.util.KeyUtils;

/** Mints tokens for the negative cases: expired, foreign key, wrong issuer or audience, alg none. */
public final class TestTokens {

    private static final PrivateKey FOREIGN_KEY = generate();

    private TestTokens() {
    }

    /** Claims as Parley itself would issue them for this user id, valid for {@code lifetime}. */
    public static JwtClaimsBuilder claims(String userId, String username, Duration lifetime) {
        Instant now = Instant.now();
        return Jwt.issuer(config("parley.auth.issuer"))
                .subject(userId)
                .preferredUserName(username)
                .upn(username)
                .audience(config("parley.auth.audience"))
                .issuedAt(now.minusSeconds(1))
                .expiresAt(now.plus(lifetime));
    }

    public static String signWithParleyKey(JwtClaimsBuilder claims) {
        try {
            return claims.jws().keyId("parley").sign(KeyUtils.decodePrivateKey(config("parley.auth.signing-key")));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String signWithForeignKey(JwtClaimsBuilder claims) {
        return claims.jws().keyId("parley").sign(FOREIGN_KEY);
    }

    /** The same claims with {@code "alg":"none"} and an empty signature. */
    public static String unsigned(String signedToken) {
        String[] parts = signedToken.split("\\.");
        String header = Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes());
        return header + "." + parts[1] + ".";
    }

    /** The same claims re-signed with HS256, keyed with Parley's public key (the classic algorithm confusion). */
    public static String hmacKeyedWithPublicKey(String signedToken) {
        try {
            String[] parts = signedToken.split("\\.");
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String input = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes()) + "." + parts[1];
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(
                    KeyUtils.decodePublicKey(config("parley.auth.public-key")).getEncoded(), "HmacSHA256"));
            return input + "." + b64.encodeToString(mac.doFinal(input.getBytes()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String config(String key) {
        return ConfigProvider.getConfig().getValue(key, String.class);
    }

    private static PrivateKey generate() {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("RSA").generateKeyPair();
            return pair.getPrivate();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
