package dev.parley.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;

import org.junit.jupiter.api.Test;

import io.quarkus.security.AuthenticationFailedException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Every rule of Parley's own token check, on tokens built by hand so that each can be broken alone. */
class ParleyTokenVerifierTest {

    private static final long NOW = 1_800_000_000L;
    private static final KeyPair KEYS = keyPair();
    private static final KeyPair OTHER_KEYS = keyPair();
    private static final String RS256 = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"parley\"}";
    private static final String CLAIMS = "{\"iss\":\"parley\",\"sub\":\"u-1\",\"aud\":\"parley\",\"iat\":%d,\"exp\":%d,"
            + "\"preferred_username\":\"alice\",\"name\":\"Alice\",\"kind\":\"user\"}";

    private final ParleyTokenVerifier verifier = new ParleyTokenVerifier(KEYS.getPublic(), "parley", "parley");

    @Test
    void aValidTokenYieldsItsClaims() {
        ParleyJwt jwt = verifier.verify(signed(RS256, claims(NOW - 10, NOW + 60), KEYS), NOW);
        assertThat(jwt.getName()).isEqualTo("u-1");
        assertThat(jwt.getSubject()).isEqualTo("u-1");
        assertThat(jwt.getIssuer()).isEqualTo("parley");
        assertThat(jwt.getAudience()).containsExactly("parley");
        assertThat(jwt.getExpirationTime()).isEqualTo(NOW + 60);
        assertThat((String) jwt.getClaim("preferred_username")).isEqualTo("alice");
        assertThat((String) jwt.getClaim("name")).isEqualTo("Alice");
        assertThat(jwt.getGroups()).isEmpty();
        assertThat(jwt.getClaimNames()).contains("iss", "sub", "aud", "exp", "iat", "name");
    }

    @Test
    void anAudienceListNamingParleyIsAccepted() {
        String claims = "{\"iss\":\"parley\",\"sub\":\"u-1\",\"aud\":[\"other\",\"parley\"],\"iat\":1,\"exp\":" + (NOW + 60) + "}";
        assertThat(verifier.verify(signed(RS256, claims, KEYS), NOW).getAudience()).containsExactlyInAnyOrder("other", "parley");
    }

    @Test
    void tokensOfOtherIssuersOrNoJwtAtAllAreLeftToTheOidcTenants() {
        String keycloak = claims(NOW, NOW + 60).replace("\"iss\":\"parley\"", "\"iss\":\"https://sso.example/realms/parley\"");
        assertThat(verifier.verify(signed(RS256, keycloak, OTHER_KEYS), NOW)).isNull();
        assertThat(verifier.verify("not-a-jwt", NOW)).isNull();
        assertThat(verifier.verify("a.b.c", NOW)).isNull();
        assertThat(verifier.verify("a.b.c.d", NOW)).isNull();
        assertThat(verifier.verify("%%%.%%%.%%%", NOW)).isNull();
        assertThat(verifier.verify(b64("[]") + "." + b64("[1]") + ".x", NOW)).isNull();
    }

    @Test
    void aForeignSignatureIsRejected() {
        assertRejected(signed(RS256, claims(NOW, NOW + 60), OTHER_KEYS));
    }

    @Test
    void aTamperedPayloadIsRejected() {
        String token = signed(RS256, claims(NOW, NOW + 60), KEYS);
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + b64(claims(NOW, NOW + 60).replace("u-1", "u-2")) + "." + parts[2];
        assertRejected(forged);
    }

    @Test
    void algNoneAndHmacKeyedWithThePublicKeyAreRejected() {
        String claims = claims(NOW, NOW + 60);
        assertRejected(b64("{\"alg\":\"none\"}") + "." + b64(claims) + ".");
        String header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
        String input = b64(header) + "." + b64(claims);
        assertRejected(input + "." + hmac(input, KEYS.getPublic().getEncoded()));
    }

    @Test
    void criticalHeaderExtensionsAreRejected() {
        assertRejected(signed("{\"alg\":\"RS256\",\"crit\":[\"exp\"]}", claims(NOW, NOW + 60), KEYS));
    }

    @Test
    void expiredOrNotYetValidTokensAreRejected() {
        assertRejected(signed(RS256, claims(NOW - 120, NOW - 60), KEYS));
        assertRejected(signed(RS256, claims(NOW - 120, NOW), KEYS)); // exp is exclusive
        String notYet = "{\"iss\":\"parley\",\"sub\":\"u-1\",\"aud\":\"parley\",\"iat\":1,\"nbf\":" + (NOW + 61)
                + ",\"exp\":" + (NOW + 600) + "}";
        assertRejected(signed(RS256, notYet, KEYS));
    }

    @Test
    void tokensIssuedOrStartingBeyondTheClockSkewInTheFutureAreRejected() {
        assertRejected(signed(RS256, claims(NOW + 61, NOW + 600), KEYS));
        assertRejected(signed(RS256, claims(NOW + 86_400, NOW + 90_000), KEYS));
        // within 60 s the clocks may simply disagree
        assertThat(verifier.verify(signed(RS256, claims(NOW + 60, NOW + 600), KEYS), NOW)).isNotNull();
        String skewed = "{\"iss\":\"parley\",\"sub\":\"u-1\",\"aud\":\"parley\",\"iat\":" + NOW + ",\"nbf\":" + (NOW + 30)
                + ",\"exp\":" + (NOW + 600) + "}";
        assertThat(verifier.verify(signed(RS256, skewed, KEYS), NOW)).isNotNull();
    }

    @Test
    void missingSubjectAudienceIssuedAtOrExpiryAreRejected() {
        long exp = NOW + 60;
        assertRejected(signed(RS256, "{\"iss\":\"parley\",\"aud\":\"parley\",\"iat\":1,\"exp\":" + exp + "}", KEYS));
        assertRejected(signed(RS256, "{\"iss\":\"parley\",\"sub\":\"\",\"aud\":\"parley\",\"iat\":1,\"exp\":" + exp + "}", KEYS));
        assertRejected(signed(RS256, "{\"iss\":\"parley\",\"sub\":\"u\",\"iat\":1,\"exp\":" + exp + "}", KEYS));
        assertRejected(signed(RS256, "{\"iss\":\"parley\",\"sub\":\"u\",\"aud\":\"other\",\"iat\":1,\"exp\":" + exp + "}", KEYS));
        assertRejected(signed(RS256, "{\"iss\":\"parley\",\"sub\":\"u\",\"aud\":\"parley\",\"exp\":" + exp + "}", KEYS));
        assertRejected(signed(RS256, "{\"iss\":\"parley\",\"sub\":\"u\",\"aud\":\"parley\",\"iat\":1}", KEYS));
        assertRejected(signed(RS256, "{\"iss\":\"parley\",\"sub\":\"u\",\"aud\":\"parley\",\"iat\":1,\"exp\":\"" + exp + "\"}", KEYS));
    }

    private void assertRejected(String token) {
        assertThatThrownBy(() -> verifier.verify(token, NOW)).isInstanceOf(AuthenticationFailedException.class);
    }

    private static String claims(long iat, long exp) {
        return CLAIMS.formatted(iat, exp);
    }

    private static String signed(String header, String claims, KeyPair keys) {
        try {
            String input = b64(header) + "." + b64(claims);
            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(keys.getPrivate());
            signer.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signer.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hmac(String input, byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
