package dev.parley.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

import dev.parley.testsupport.TestUsers;

/** Staying signed in without the password: refresh with rotation, reuse detection and logout. */
@QuarkusTest
class RefreshTokenTest {

    @Inject
    AgroalDataSource jdbc;

    @Test
    void aRefreshGivesANewAccessTokenAndANewRefreshTokenAndSpendsTheOldOne() {
        JsonPath login = login(registered());
        assertThat(login.getLong("refreshExpiresIn")).isEqualTo(30L * 24 * 3600);
        JsonPath refreshed = refresh(login.getString("refreshToken")).then().statusCode(200)
                .body("tokenType", equalTo("Bearer"))
                .body("expiresIn", greaterThan(0))
                .extract().jsonPath();
        assertThat(refreshed.getString("refreshToken")).isNotEqualTo(login.getString("refreshToken"));
        given().auth().oauth2(refreshed.getString("accessToken")).get("/api/me").then().statusCode(200);
        // the next of the chain works in turn
        refresh(refreshed.getString("refreshToken")).then().statusCode(200);
    }

    @Test
    void aSpentTokenPresentedAgainRevokesTheWholeChain() {
        String username = registered();
        String first = login(username).getString("refreshToken");
        String second = refresh(first).then().statusCode(200).extract().path("refreshToken");
        // someone replays the first (a stolen copy): refused, and the chain dies with it
        refresh(first).then().statusCode(401).contentType("application/problem+json").body("code", equalTo("unauthorized"));
        refresh(second).then().statusCode(401);
        // another login is another chain, unaffected
        refresh(login(username).getString("refreshToken")).then().statusCode(200);
    }

    @Test
    void logoutEndsTheChainAndUnknownTokensAreRefused() {
        String username = registered();
        String first = login(username).getString("refreshToken");
        String second = refresh(first).then().statusCode(200).extract().path("refreshToken");
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", second)).post("/api/auth/logout")
                .then().statusCode(204);
        refresh(second).then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", "not-a-token")).post("/api/auth/logout")
                .then().statusCode(401);
        refresh("not-a-token").then().statusCode(401);
        given().contentType(ContentType.JSON).body("{}").post("/api/auth/refresh").then().statusCode(400);
    }

    @Test
    void onlyAHashOfTheTokenIsStoredAndAnExpiredOneIsRefused() throws Exception {
        String token = login(registered()).getString("refreshToken");
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        try (Connection c = jdbc.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("select count(*) from refresh_tokens where token_hash = ?")) {
                s.setBytes(1, hash);
                try (ResultSet r = s.executeQuery()) {
                    r.next();
                    assertThat(r.getInt(1)).isEqualTo(1);
                }
            }
            try (PreparedStatement s = c.prepareStatement(
                    "update refresh_tokens set expires_at = now() - interval '1 second' where token_hash = ?")) {
                s.setBytes(1, hash);
                s.executeUpdate();
            }
        }
        refresh(token).then().statusCode(401);
    }

    private static String registered() {
        String username = TestUsers.uniqueName("refresh");
        given().contentType(ContentType.JSON).body(Map.of("username", username, "password", "s3cret-pass"))
                .post("/api/auth/register").then().statusCode(201);
        return username;
    }

    private static JsonPath login(String username) {
        return given().contentType(ContentType.JSON).body(Map.of("username", username, "password", "s3cret-pass"))
                .post("/api/auth/login").then().statusCode(200).extract().jsonPath();
    }

    private static Response refresh(String token) {
        return given().contentType(ContentType.JSON).body(Map.of("refreshToken", token)).post("/api/auth/refresh");
    }
}
