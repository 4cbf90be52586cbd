package dev.parley.config;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The operations endpoints application.properties sets up: health groups and Prometheus metrics on
 * the management port only, the OpenAPI document on the application port.
 */
@QuarkusTest
class OperationsEndpointsTest {

    @TestHTTPResource(value = "/", management = true)
    URI management;

    private String onManagementPort(String path) {
        return management.resolve(path).toString();
    }

    @Test
    void readinessChecksPostgresqlAndWellnessReportsRedis() {
        given().get(onManagementPort("/q/health/ready"))
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name.join(',')", containsString("Reactive PostgreSQL"))
                .body("checks.name", not(hasItem("redis")));
        given().get(onManagementPort("/q/health/well"))
                .then().statusCode(200)
                .body("checks.find { it.name == 'redis' }.status", equalTo("UP"));
    }

    @Test
    void livenessAndStartupAreUp() {
        given().get(onManagementPort("/q/health/live")).then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("event-loops"));
        given().get(onManagementPort("/q/health/started")).then().statusCode(200).body("status", equalTo("UP"));
        given().get(onManagementPort("/q/health")).then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void metricsAreExposedForPrometheus() {
        given().get(onManagementPort("/q/metrics")).then().statusCode(200)
                .body(containsString("jvm_memory_used_bytes")).body(containsString("parley_batch_size"));
    }

    /** Whoever reaches the application port (every user, through the Ingress) gets no health or metrics. */
    @Test
    void theApplicationPortAnswersNeitherHealthNorMetrics() {
        for (String path : List.of("/q/health", "/q/health/live", "/q/health/ready", "/q/health/started", "/q/health/well",
                "/q/metrics")) {
            given().get(path).then().statusCode(404).contentType("application/problem+json").body("code", equalTo("not_found"));
        }
    }

    @Test
    void openApiDescribesTheRestApiOnTheApplicationPort() {
        given().accept("application/json").get("/q/openapi")
                .then().statusCode(200)
                .body("paths", hasKey("/api/auth/register"))
                .body("paths", hasKey("/api/me"))
                .body("paths", hasKey("/api/dms"))
                .body("paths.'/api/rooms/{id}/read'.post.responses.'200'.content.'application/json'.examples.marker.value.seq",
                        equalTo(44))
                .body("paths.'/api/rooms'.post.responses", hasKey("201"))
                .body("paths.'/api/rooms'.post.responses.'409'.$ref", equalTo("#/components/responses/Conflict"))
                .body("components.responses.NotFound.content.'application/problem+json'.schema.$ref",
                        equalTo("#/components/schemas/Problem"))
                // readable schema names, none made up from a package or a counter
                .body("components.schemas.keySet().findAll { it.contains('_') || it ==~ /.*\\d/ }", empty())
                // the WebSocket's frames are described once, in the AsyncAPI document
                .body("info.description", containsString("/q/asyncapi"))
                .body("components.schemas.keySet().findAll { it.startsWith('Ws') }", empty());
        given().get(onManagementPort("/q/openapi")).then().statusCode(404);
        // in dev mode and tests only (the packaged application has none: EdgeIT)
        given().get("/q/swagger-ui/").then().statusCode(200);
    }
}
