package dev.parley.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.testsupport.TestTokens;
import dev.parley.testsupport.TestUsers;
import dev.parley.testsupport.WsClient;

/** Every kind of bad token is refused the same way on REST and on the WebSocket upgrade. */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenValidationTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Inject
    IdentityProviderManager identityProviders;

    private TestUsers.TestUser user;
    private final Map<String, String> badTokens = new LinkedHashMap<>();

    // Not @BeforeAll: RestAssured is pointed at the test application only around each test.
    @BeforeEach
    void mintBadTokens() {
        if (user != null) {
            return;
        }
        user = TestUsers.create("tokens");
        String valid = TestTokens.signWithParleyKey(TestTokens.claims(user.id(), user.username(), Duration.ofMinutes(5)));
        badTokens.put("expired", TestTokens.signWithParleyKey(
                TestTokens.claims(user.id(), user.username(), Duration.ofMinutes(5))
                        .issuedAt(1_000_000L).expiresAt(1_000_060L)));
        badTokens.put("wrongly signed", TestTokens.signWithForeignKey(
                TestTokens.claims(user.id(), user.username(), Duration.ofMinutes(5))));
        badTokens.put("wrong issuer", TestTokens.signWithParleyKey(
                TestTokens.claims(user.id(), user.username(), Duration.ofMinutes(5)).issuer("https://evil.example")));
        badTokens.put("wrong audience", TestTokens.signWithParleyKey(
                TestTokens.claims(user.id(), user.username(), Duration.ofMinutes(5)).audience("someone-else")));
        long now = System.currentTimeMillis() / 1000;
        badTokens.put("issued a day ahead", TestTokens.signWithParleyKey(
                TestTokens.claims(user.id(), user.username(), Duration.ofDays(2)).issuedAt(now + 86_400)));
        badTokens.put("issued beyond the clock skew", TestTokens.signWithParleyKey(
                TestTokens.claims(user.id(), user.username(), Duration.ofMinutes(5)).issuedAt(now + 120)));
        badTokens.put("not valid before two minutes from now", TestTokens.signWithParleyKey(
                TestTokens.claims(user.id(), user.username(), Duration.ofMinutes(5)).claim("nbf", now + 120)));
        badTokens.put("alg none", TestTokens.unsigned(valid));
        badTokens.put("HS256 keyed with the public key", TestTokens.hmacKeyedWithPublicKey(valid));
        badTokens.put("malformed", "not.a.jwt");
        badTokens.put("garbage", "%%%");
        // the control: the same minting path with every claim right is accepted
        given().auth().oauth2(valid).get("/api/me").then().statusCode(200).body("id", equalTo(user.id()));
    }

    @Test
    void everyBadTokenIsRefusedOnRestWith401AndABearerChallenge() {
        badTokens.forEach((kind, token) -> given().auth().oauth2(token).get("/api/me")
                .then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .contentType("application/problem+json")
                .body("status", equalTo(401)));
    }

    @Test
    void everyBadTokenIsRefusedAtTheUpgradeWith401AndNoSocket() {
        badTokens.forEach((kind, token) -> assertThatThrownBy(() -> WsClient.connectWithHeader(ws, token))
                .as(kind)
                .isInstanceOfSatisfying(WsClient.UpgradeRefused.class, e -> assertThat(e.status()).isEqualTo(401)));
    }

    @Test
    void upgradeWithoutAnyTokenIsRefusedWith401() {
        assertThatThrownBy(() -> WsClient.connectWithHeader(ws, null))
                .isInstanceOfSatisfying(WsClient.UpgradeRefused.class, e -> assertThat(e.status()).isEqualTo(401));
    }

    @Test
    void onlyTheBearerSchemeIsAccepted() {
        given().header("Authorization", "Basic " + user.token()).get("/api/me").then().statusCode(401);
        assertThatThrownBy(() -> WsClient.connect(ws, List.of("Authorization", "Token " + user.token()), List.of()))
                .isInstanceOfSatisfying(WsClient.UpgradeRefused.class, e -> assertThat(e.status()).isEqualTo(401));
    }

    @Test
    void aTokenOfADeletedOrUnknownUserIsRefused() {
        String stranger = TestTokens.signWithParleyKey(
                TestTokens.claims("00000000-0000-0000-0000-000000000000", "nobody", Duration.ofMinutes(5)));
        given().auth().oauth2(stranger).get("/api/me").then().statusCode(401).contentType("application/problem+json");
        assertThatThrownBy(() -> WsClient.connectWithHeader(ws, stranger))
                .isInstanceOfSatisfying(WsClient.UpgradeRefused.class, e -> assertThat(e.status()).isEqualTo(401));
    }

    @Test
    void parleyTokensAreVerifiedByParleysOwnProviderAheadOfTheOidcTenants() {
        SecurityIdentity identity = identityProviders
                .authenticate(new TokenAuthenticationRequest(new AccessTokenCredential(user.token())))
                .await().atMost(Duration.ofSeconds(10));
        assertThat(identity.getPrincipal()).isInstanceOf(ParleyJwt.class);
        assertThat(identity.getPrincipal().getName()).isEqualTo(user.id());
        assertThat((Long) identity.getAttribute("quarkus.identity.expire-time")).isGreaterThan(System.currentTimeMillis() / 1000);
    }
}
