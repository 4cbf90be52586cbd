package dev.parley.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.parley.testsupport.KeycloakServer;
import dev.parley.testsupport.WsClient;

/** The production login path, end to end, against a real Keycloak started from its Maven distribution. */
@QuarkusTest
class KeycloakLoginTest {

    @TestHTTPResource("/ws")
    URI ws;

    @Test
    void aKeycloakUserIsCreatedOnFirstSightFromTheTokenClaims() {
        String token = KeycloakServer.start().passwordGrant("alice", "alice-password-1");
        String id = given().auth().oauth2(token).get("/api/me")
                .then().statusCode(200)
                .body("username", equalTo("alice"))
                .body("displayName", equalTo("Alice Liddell"))
                .extract().path("id");
        // the same person on the next request, not a second record
        String again = KeycloakServer.start().passwordGrant("alice", "alice-password-1");
        given().auth().oauth2(again).get("/api/me").then().statusCode(200).body("id", equalTo(id));
    }

    @Test
    void aKeycloakTokenOpensTheWebSocketWithAHeaderAndAsABrowser() {
        String token = KeycloakServer.start().passwordGrant("alice", "alice-password-1");
        try (WsClient client = WsClient.connectWithHeader(ws, token)) {
            assertThat(client.request("{\"type\":\"ping\",\"id\":\"kc\"}", "kc").path("type").asText()).isEqualTo("pong");
        }
        try (WsClient browser = WsClient.connectAsBrowser(ws, token, "http://localhost:8080")) {
            assertThat(browser.request("{\"type\":\"ping\",\"id\":\"kb\"}", "kb").path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void theWebAppLearnsTheRealmAndMayConnectToItOnly() {
        KeycloakServer keycloak = KeycloakServer.start();
        given().get("/api/auth/options").then().statusCode(200)
                .body("registration", equalTo(true))
                .body("keycloak.url", equalTo(keycloak.realmUrl()))
                .body("keycloak.clientId", equalTo(KeycloakServer.WEB_CLIENT_ID));
        given().get("/").then().statusCode(200)
                .header("Content-Security-Policy", containsString("connect-src 'self' " + keycloak.realmUrl() + "/;"))
                .header("Content-Security-Policy", not(containsString("unsafe-inline")));
        given().get("/vendor/oidc-client-ts/oidc-client-ts.min.js").then().statusCode(200)
                .header("Content-Security-Policy", containsString("script-src 'self'"));
    }

    @Test
    void theRealmsBrowserClientAllowsOnlyTheCodeFlowWithPkceToItsExactRedirectUri() {
        KeycloakServer keycloak = KeycloakServer.start();
        // no password grant for the browser client
        HttpResponse<String> password = keycloak.tokenRequest(KeycloakServer.WEB_CLIENT_ID, "alice", "alice-password-1");
        assertThat(password.statusCode()).isIn(400, 401);
        assertThat(password.body()).contains("unauthorized_client");

        String shipped = "https://parley.example.com/"; // the redirect URI in kubernetes/keycloak/parley-realm.json
        String challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"; // RFC 7636's example
        String withPkce = authorize(keycloak, shipped) + "&code_challenge=" + challenge + "&code_challenge_method=S256";
        assertThat(keycloak.get(withPkce).statusCode()).as("the login page").isEqualTo(200);
        // without PKCE: sent back with an error, no login page
        HttpResponse<String> plain = keycloak.get(authorize(keycloak, shipped));
        assertThat(plain.statusCode()).isEqualTo(302);
        assertThat(plain.headers().firstValue("Location").orElseThrow()).startsWith(shipped + "?error=invalid_request");
        // "plain" is no PKCE either
        HttpResponse<String> weak = keycloak.get(authorize(keycloak, shipped) + "&code_challenge=" + challenge
                + "&code_challenge_method=plain");
        assertThat(weak.headers().firstValue("Location").orElse("")).startsWith(shipped + "?error=invalid_request");
        // a redirect URI that is not registered exactly is refused outright (no redirect to it)
        for (String other : new String[] {shipped + "evil", "https://parley.example.com.evil.test/", "http://parley.example.com/"}) {
            HttpResponse<String> refused = keycloak.get(authorize(keycloak, other) + "&code_challenge=" + challenge
                    + "&code_challenge_method=S256");
            assertThat(refused.statusCode()).as(other).isEqualTo(400);
            assertThat(refused.headers().firstValue("Location")).as(other).isEmpty();
        }
    }

    private static String authorize(KeycloakServer keycloak, String redirectUri) {
        return keycloak.authorizationEndpoint() + "?client_id=" + KeycloakServer.WEB_CLIENT_ID
                + "&response_type=code&scope=openid&state=s1&redirect_uri="
                + URLEncoder.encode(redirectUri, StandardCharsets.UTF_8);
    }

    @Test
    void aKeycloakTokenForAnotherAudienceIsRefused() {
        String token = KeycloakServer.start().passwordGrant(KeycloakServer.OTHER_CLIENT_ID, "alice", "alice-password-1");
        given().auth().oauth2(token).get("/api/me")
                .then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .contentType("application/problem+json");
    }

    @Test
    void aRealmTokenIssuedOrStartingBeyondTheClockSkewInTheFutureIsRefused() {
        KeycloakServer keycloak = KeycloakServer.start();
        long now = System.currentTimeMillis() / 1000;
        // the control: a token signed with the same imported realm key, times right, is accepted
        given().auth().oauth2(keycloak.signWithRealmKey(realmClaims(now, now + 300))).get("/api/me").then().statusCode(200);
        String futureIat = keycloak.signWithRealmKey(realmClaims(now + 3_600, now + 7_200));
        String beyondSkew = keycloak.signWithRealmKey(realmClaims(now + 120, now + 600));
        String futureNbf = keycloak.signWithRealmKey(realmClaims(now, now + 7_200).claim("nbf", now + 3_600));
        for (String token : new String[] { futureIat, beyondSkew, futureNbf }) {
            given().auth().oauth2(token).get("/api/me").then().statusCode(401)
                    .header("WWW-Authenticate", startsWith("Bearer")).contentType("application/problem+json");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> WsClient.connectWithHeader(ws, token))
                    .isInstanceOfSatisfying(WsClient.UpgradeRefused.class, e -> assertThat(e.status()).isEqualTo(401));
        }
    }

    private static io.smallrye.jwt.build.JwtClaimsBuilder realmClaims(long iat, long exp) {
        String name = "forged-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        return io.smallrye.jwt.build.Jwt.subject(java.util.UUID.randomUUID().toString()).preferredUserName(name)
                .audience("parley").claim("azp", KeycloakServer.TEST_CLIENT_ID).claim("typ", "Bearer")
                .issuedAt(iat).expiresAt(exp);
    }

    @Test
    void aKeycloakUserNeverTakesOverABuiltInAccountOfTheSameName() {
        // Only this test signs in as Keycloak's bob, and the test database is new for every run.
        String localBob = given().contentType("application/json")
                .body("{\"username\":\"bob\",\"password\":\"local-bob-password\"}")
                .post("/api/auth/register").then().statusCode(201).extract().path("id");
        String token = KeycloakServer.start().passwordGrant("bob", "bob-password-1");
        given().auth().oauth2(token).get("/api/me")
                .then().statusCode(200)
                .body("id", not(equalTo(localBob)))
                .body("username", startsWith("bob-"))
                .body("displayName", equalTo("Bob Builder"));
    }
}
