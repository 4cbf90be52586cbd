package dev.parley.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.parley.testsupport.TestUsers;

/**
 * With no trusted proxy configured (the default) the peer is the client: a client that makes up a new
 * X-Forwarded-For or Forwarded header for every attempt still spends the one budget of its own address.
 * Every request here comes from 127.0.0.1, whose budgets these two tests spend (login failures and
 * registrations are counted apart).
 */
@QuarkusTest
@TestProfile(NoTrustedProxyProfile.class)
class SpoofedForwardingTest {

    @Test
    void madeUpForwardedAddressesGetNoExtraLoginAttempts() {
        for (int i = 0; i < 5; i++) {
            login(i).then().statusCode(401).body("code", equalTo("unauthorized"));
        }
        for (int i = 5; i < 8; i++) {
            login(i).then().statusCode(429).body("code", equalTo("rate_limited"));
        }
    }

    @Test
    void madeUpForwardedAddressesGetNoExtraRegistrations() {
        for (int i = 0; i < 3; i++) {
            registration(i).then().statusCode(201);
        }
        registration(3).then().statusCode(429).body("code", equalTo("rate_limited"));
    }

    // each attempt claims another client, in both headers, and a fresh username (its own budget is 3)
    private static Response login(int attempt) {
        return spoofed(attempt).body(Map.of("username", TestUsers.uniqueName("nobody"), "password", "guess"))
                .post("/api/auth/login");
    }

    private static Response registration(int attempt) {
        return spoofed(attempt).body(Map.of("username", TestUsers.uniqueName("spoof"), "password", TestUsers.PASSWORD))
                .post("/api/auth/register");
    }

    private static RequestSpecification spoofed(int attempt) {
        return given().contentType(ContentType.JSON)
                .header("X-Forwarded-For", "203.0.113." + attempt)
                .header("Forwarded", "for=198.51.100." + attempt);
    }
}
