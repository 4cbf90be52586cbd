package dev.parley.config;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** The operations endpoints application.properties sets up: health groups, OpenAPI, Prometheus metrics. */
@QuarkusTest
class OperationsEndpointsTest {

    @Test
    void readinessChecksPostgresqlAndWellnessReportsRedis() {
        given().get("/q/health/ready")
                .then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name.join(',')", containsString("Reactive PostgreSQL"))
                .body("checks.name", not(hasItem("redis")));
        given().get("/q/health/well")
                .then().statusCode(200)
                .body("checks.find { it.name == 'redis' }.status", equalTo("UP"));
    }

    @Test
    void livenessIsUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void openApiDescribesTheRestApi() {
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
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    @Test
    void metricsAreExposedForPrometheus() {
        given().get("/q/metrics").then().statusCode(200).body(containsString("jvm_memory_used_bytes"))
                .body(containsString("parley_batch_size"));
    }
}
