package dev.parley.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.parley.testsupport.TestUsers;

@QuarkusTest
class AuthResourceTest {

    @Inject
    AgroalDataSource jdbc;

    @Test
    void registerCreatesAnAccountAndLoginReturnsABearerToken() {
        String username = TestUsers.uniqueName("reg");
        given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", "s3cret-pass", "displayName", "Reg User"))
                .post("/api/auth/register")
                .then().statusCode(201)
                .body("id", notNullValue())
                .body("username", equalTo(username));

        String token = given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", "s3cret-pass"))
                .post("/api/auth/login")
                .then().statusCode(200)
                .body("tokenType", equalTo("Bearer"))
                .body("expiresIn", equalTo(3600))
                .extract().path("accessToken");

        given().auth().oauth2(token).get("/api/me")
                .then().statusCode(200)
                .body("username", equalTo(username))
                .body("displayName", equalTo("Reg User"))
                .body("id", notNullValue());
    }

    @Test
    void passwordsAreStoredAsBcryptHashesNeverInPlainText() throws Exception {
        String username = TestUsers.uniqueName("hash");
        given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", "plain-text-never"))
                .post("/api/auth/register").then().statusCode(201);
        try (Connection c = jdbc.getConnection();
                PreparedStatement s = c.prepareStatement("select password_hash from users where username = ?")) {
            s.setString(1, username);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).startsWith("$2").doesNotContain("plain-text-never");
            }
        }
    }

    @Test
    void registeringATakenUsernameIsAConflict() {
        String username = TestUsers.uniqueName("dup");
        Map<String, String> body = Map.of("username", username, "password", "password-1");
        given().contentType(ContentType.JSON).body(body).post("/api/auth/register").then().statusCode(201);
        given().contentType(ContentType.JSON).body(body).post("/api/auth/register")
                .then().statusCode(409)
                .contentType("application/problem+json")
                .body("status", equalTo(409))
                .body("type", equalTo("urn:parley:problem:conflict"));
    }

    @Test
    void invalidRegistrationsAreBadRequestsWithProblemDetails() {
        for (Map<String, String> body : new Map[] {
                Map.of("username", "ab", "password", "password-1"),
                Map.of("username", "UPPER", "password", "password-1"),
                Map.of("username", "has space", "password", "password-1"),
                Map.of("username", "a".repeat(33), "password", "password-1"),
                Map.of("username", "shortpw", "password", "1234567"),
                Map.of("username", "nopassword"),
                Map.of("password", "password-1") }) {
            given().contentType(ContentType.JSON).body(body).post("/api/auth/register")
                    .then().statusCode(400)
                    .contentType("application/problem+json")
                    .body("type", equalTo("urn:parley:problem:bad_request"))
                    .body("detail", notNullValue());
        }
    }

    @Test
    void malformedAndMissingBodiesAreBadRequests() {
        given().contentType(ContentType.JSON).body("{not json").post("/api/auth/register")
                .then().statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.JSON).post("/api/auth/login")
                .then().statusCode(400).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body("{\"username\":5,\"password\":[]}").post("/api/auth/login")
                .then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void wrongPasswordAndUnknownUserGetTheSameAnswer() {
        TestUsers.TestUser user = TestUsers.create("login");
        String wrongPassword = given().contentType(ContentType.JSON)
                .body(Map.of("username", user.username(), "password", "not-the-password"))
                .post("/api/auth/login")
                .then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", startsWith("Bearer"))
                .extract().asString();
        String unknownUser = given().contentType(ContentType.JSON)
                .body(Map.of("username", TestUsers.uniqueName("ghost"), "password", "not-the-password"))
                .post("/api/auth/login")
                .then().statusCode(401).contentType("application/problem+json")
                .extract().asString();
        assertThat(unknownUser).isEqualTo(wrongPassword);
    }

    @Test
    void meWithoutATokenIsUnauthorizedWithABearerChallenge() {
        given().get("/api/me")
                .then().statusCode(401)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .contentType("application/problem+json")
                .body("status", equalTo(401))
                .body("title", notNullValue());
    }

    @Test
    void loginTokenCarriesIssuerSubjectUsernameAudienceAndExpiry() throws Exception {
        TestUsers.TestUser user = TestUsers.create("claims");
        String payload = new String(Base64.getUrlDecoder().decode(user.token().split("\\.")[1]));
        JsonNode claims = new ObjectMapper().readTree(payload);
        assertThat(claims.path("iss").asText()).isEqualTo("parley");
        assertThat(claims.path("sub").asText()).isEqualTo(user.id());
        assertThat(claims.path("preferred_username").asText()).isEqualTo(user.username());
        assertThat(claims.path("upn").asText()).isEqualTo(user.username());
        assertThat(claims.path("aud").toString()).contains("parley");
        assertThat(claims.path("exp").asLong()).isGreaterThan(claims.path("iat").asLong());
        String header = new String(Base64.getUrlDecoder().decode(user.token().split("\\.")[0]));
        assertThat(header).contains("RS256");
        given().auth().oauth2(user.token()).get("/api/me").then().statusCode(200).body("id", equalTo(user.id()));
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isEqualTo(3600);
    }
}
