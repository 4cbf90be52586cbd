package dev.parley.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.net.URI;

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
    void aKeycloakTokenForAnotherAudienceIsRefused() {
        String token = KeycloakServer.start().passwordGrant("other-service", "alice", "alice-password-1");
        given().auth().oauth2(token).get("/api/me")
                .then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .contentType("application/problem+json");
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
