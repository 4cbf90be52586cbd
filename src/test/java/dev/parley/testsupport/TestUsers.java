package dev.parley.testsupport;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;

/** Registers fresh built-in accounts through the real REST API and logs them in. */
public final class TestUsers {

    public static final String PASSWORD = "correct-horse-battery";

    private TestUsers() {
    }

    public record TestUser(String id, String username, String token) {
    }

    public static String uniqueName(String prefix) {
        return (prefix + "-" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase();
    }

    public static TestUser create(String prefix) {
        String username = uniqueName(prefix);
        String id = given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", PASSWORD, "displayName", "User " + username))
                .post("/api/auth/register")
                .then().statusCode(201)
                .extract().path("id");
        return new TestUser(id, username, login(username));
    }

    public static String login(String username) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "password", PASSWORD))
                .post("/api/auth/login")
                .then().statusCode(200)
                .extract().path("accessToken");
    }
}
