package dev.parley.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.parley.testsupport.Metrics;
import dev.parley.testsupport.RawHttp;
import dev.parley.testsupport.TestUsers;

/**
 * Failed logins and registrations are throttled per username and per client address (3 / 5 / 3 here),
 * the client address taken from X-Forwarded-For only when the peer is the trusted proxy (127.0.0.1).
 */
@QuarkusTest
@TestProfile(ThrottleProfile.class)
class LoginThrottleTest {

    @TestHTTPResource("/")
    URI base;

    @Test
    void afterThreeFailuresForAUsernameEvenTheRightPasswordWaitsWithRetryAfter() {
        String name = register("10.0.0.1");
        for (int i = 0; i < 3; i++) {
            login("10.0.1." + i, name, "wrong-password").then().statusCode(401);
        }
        String before = Metrics.scrape();
        Response refused = login("10.0.2.1", name, TestUsers.PASSWORD);
        refused.then().statusCode(429).contentType("application/problem+json").body("code", equalTo("rate_limited"));
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 300L);
        // counted as a throttled login (failed logins are not)
        assertThat(Metrics.moved(before, Metrics.scrape(), "parley_login_throttled_total")).isEqualTo(1);
        // other usernames are not affected
        String other = register("10.0.0.1");
        login("10.0.2.1", other, TestUsers.PASSWORD).then().statusCode(200);
    }

    @Test
    void aSuccessfulLoginClearsTheUsernamesFailures() {
        String name = register("10.0.3.1");
        login("10.0.3.2", name, "wrong-password").then().statusCode(401);
        login("10.0.3.2", name, "wrong-password").then().statusCode(401);
        login("10.0.3.2", name, TestUsers.PASSWORD).then().statusCode(200);
        login("10.0.3.2", name, "wrong-password").then().statusCode(401);
        login("10.0.3.2", name, "wrong-password").then().statusCode(401);
        login("10.0.3.2", name, TestUsers.PASSWORD).then().statusCode(200);
    }

    @Test
    void anAddressGuessingManyUsernamesIsThrottled() {
        String victim = register("10.0.4.1");
        for (int i = 0; i < 5; i++) {
            login("10.0.4.66", "nobody-" + i, "guess").then().statusCode(401);
        }
        login("10.0.4.66", victim, TestUsers.PASSWORD).then().statusCode(429);
        // the same account from another address is fine
        login("10.0.4.2", victim, TestUsers.PASSWORD).then().statusCode(200);
    }

    @Test
    void anAddressRegisteringTooOftenIsThrottledAndTakenNamesCostNothing() {
        String address = "10.0.5.1";
        String taken = register(address);
        // a taken name is refused before any hashing, and does not count
        for (int i = 0; i < 5; i++) {
            registration(address, taken).then().statusCode(409);
        }
        register(address);
        register(address);
        String before = Metrics.scrape();
        Response refused = registration(address, TestUsers.uniqueName("flood"));
        refused.then().statusCode(429).contentType("application/problem+json");
        assertThat(refused.header("Retry-After")).isNotNull();
        assertThat(Metrics.moved(before, Metrics.scrape(), "parley_requests_rate_limited_total", "limit", "registrations"))
                .isEqualTo(1);
        register("10.0.5.2");
    }

    @Test
    void aThrottledAddressGets429BeforeLearningWhetherANameIsTaken() {
        String address = "10.0.6.1";
        String taken = register(address);
        register(address);
        register(address);
        for (String name : new String[] { taken, TestUsers.uniqueName("free") }) {
            Response refused = registration(address, name);
            refused.then().statusCode(429).contentType("application/problem+json");
            assertThat(refused.header("Retry-After")).isNotNull();
        }
        // another address still learns that the name is taken
        registration("10.0.6.2", taken).then().statusCode(409);
    }

    @Test
    void twoClientsBehindTheTrustedProxyHaveBudgetsOfTheirOwn() {
        for (int i = 0; i < 5; i++) {
            login("10.0.7.1", TestUsers.uniqueName("nobody"), "guess").then().statusCode(401);
        }
        login("10.0.7.1", TestUsers.uniqueName("nobody"), "guess").then().statusCode(429);
        // the other client behind the same proxy is still only told that its password is wrong
        login("10.0.7.2", TestUsers.uniqueName("nobody"), "guess").then().statusCode(401)
                .body("code", equalTo("unauthorized"));
    }

    /** Quarkus takes the first address of the header: the proxy must replace, not append to, what the client sent. */
    @Test
    void theFirstForwardedAddressIsTheClient() {
        for (int i = 0; i < 5; i++) {
            login("10.0.8.1, 10.0.9." + i, TestUsers.uniqueName("nobody"), "guess").then().statusCode(401);
        }
        login("10.0.8.1", TestUsers.uniqueName("nobody"), "guess").then().statusCode(429);
        login("10.0.9.0", TestUsers.uniqueName("nobody"), "guess").then().statusCode(401);
    }

    @Test
    void aPeerThatIsNotATrustedProxyIsItsOwnClientWhateverItForwards() {
        InetAddress untrusted = address("127.0.0.2");
        for (int i = 0; i < 5; i++) {
            assertThat(rawLogin(untrusted, "10.0.10." + i).status()).isEqualTo(401);
        }
        RawHttp.Answer refused = rawLogin(untrusted, "10.0.10.99");
        assertThat(refused.status()).as(refused.text()).isEqualTo(429);
        // the budget spent was the peer's own address
        login("127.0.0.2", TestUsers.uniqueName("nobody"), "guess").then().statusCode(429);
    }

    private RawHttp.Answer rawLogin(InetAddress from, String forwardedFor) {
        String body = "{\"username\":\"" + TestUsers.uniqueName("nobody") + "\",\"password\":\"guess\"}";
        return RawHttp.sendFrom(from, base, RawHttp.request(base, "POST", "/api/auth/login", body,
                "Content-Type: application/json", "X-Forwarded-For: " + forwardedFor));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String register(String address) {
        String name = TestUsers.uniqueName("thr");
        registration(address, name).then().statusCode(201);
        return name;
    }

    private static Response registration(String address, String name) {
        return given().header("X-Forwarded-For", address).contentType(ContentType.JSON)
                .body(Map.of("username", name, "password", TestUsers.PASSWORD)).post("/api/auth/register");
    }

    private static Response login(String address, String name, String password) {
        return given().header("X-Forwarded-For", address).contentType(ContentType.JSON)
                .body(Map.of("username", name, "password", password)).post("/api/auth/login");
    }
}
