package dev.parley.config;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;

import java.net.InetAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.parley.testsupport.DatabaseTestResource;
import dev.parley.testsupport.ParleyProcess;
import dev.parley.testsupport.RawHttp;
import dev.parley.testsupport.TestUsers;

/**
 * What a packaged instance shows at its edge, configured only through its environment as in
 * production: health and metrics on the management port alone, the OpenAPI document (and no Swagger
 * UI) on the application port; and the client address of the per-address login limit, taken from
 * X-Forwarded-For only with PARLEY_HTTP_TRUSTED_PROXIES set and only from such a peer.
 */
class EdgeIT {

    private static final String DATABASE = "parley_it_edge";
    private static final int ADDRESS_FAILURES = 3;

    private static ParleyProcess plain;
    private static ParleyProcess behindProxy;

    @BeforeAll
    static void start() {
        DatabaseTestResource.recreate(DATABASE);
        Map<String, String> env = ParleyProcess.environment(DATABASE);
        env.put("PARLEY_LIMITS_LOGIN_FAILURES_ADDRESS", String.valueOf(ADDRESS_FAILURES));
        plain = ParleyProcess.start("edge-plain", env);
        Map<String, String> proxied = new HashMap<>(env);
        proxied.put("PARLEY_HTTP_TRUSTED_PROXIES", "127.0.0.1");
        behindProxy = ParleyProcess.start("edge-proxied", proxied);
    }

    @AfterAll
    static void stop() {
        ParleyProcess.stopAll(plain, behindProxy);
    }

    @Test
    void healthAndMetricsAnswerOnTheManagementPortOnly() {
        for (String path : List.of("/q/health", "/q/health/live", "/q/health/ready", "/q/health/started", "/q/health/well",
                "/q/metrics", "/q/swagger-ui/")) {
            given().baseUri(plain.baseUrl()).get(path).then().statusCode(404)
                    .contentType("application/problem+json").body("code", equalTo("not_found"));
        }
        for (String path : List.of("/q/health/live", "/q/health/ready", "/q/health/started", "/q/health/well")) {
            given().baseUri(plain.managementUrl()).get(path).then().statusCode(200).body("status", equalTo("UP"));
        }
        given().baseUri(plain.managementUrl()).get("/q/metrics").then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes"));
    }

    @Test
    void theOpenApiDocumentStaysOnTheApplicationPort() {
        given().baseUri(plain.baseUrl()).accept("application/json").get("/q/openapi").then().statusCode(200)
                .body("paths", hasKey("/api/auth/login"));
        given().baseUri(plain.managementUrl()).get("/q/openapi").then().statusCode(404);
    }

    @Test
    void withoutTrustedProxiesMadeUpForwardedAddressesShareThePeersBudget() {
        for (int i = 0; i < ADDRESS_FAILURES; i++) {
            login(plain, "203.0.113." + i).then().statusCode(401);
        }
        login(plain, "203.0.113.99").then().statusCode(429).body("code", equalTo("rate_limited"));
    }

    @Test
    void behindTheTrustedProxyEachForwardedClientHasItsOwnBudget() throws Exception {
        for (int i = 0; i < ADDRESS_FAILURES; i++) {
            login(behindProxy, "10.1.0.1").then().statusCode(401);
        }
        login(behindProxy, "10.1.0.1").then().statusCode(429);
        login(behindProxy, "10.1.0.2").then().statusCode(401).body("code", equalTo("unauthorized"));
        // a peer that is not the proxy is its own client, whatever it forwards
        InetAddress untrusted = InetAddress.getByName("127.0.0.2");
        URI base = URI.create(behindProxy.baseUrl());
        for (int i = 0; i <= ADDRESS_FAILURES; i++) {
            String body = "{\"username\":\"" + TestUsers.uniqueName("nobody") + "\",\"password\":\"guess\"}";
            RawHttp.Answer answer = RawHttp.sendFrom(untrusted, base, RawHttp.request(base, "POST", "/api/auth/login", body,
                    "Content-Type: application/json", "X-Forwarded-For: 10.2.0." + i));
            assertThat(answer.status()).as("attempt %d: %s", i + 1, answer.text()).isEqualTo(i < ADDRESS_FAILURES ? 401 : 429);
        }
    }

    private static Response login(ParleyProcess instance, String forwardedFor) {
        return given().baseUri(instance.baseUrl()).contentType(ContentType.JSON).header("X-Forwarded-For", forwardedFor)
                .body(Map.of("username", TestUsers.uniqueName("nobody"), "password", "guess")).post("/api/auth/login");
    }
}
