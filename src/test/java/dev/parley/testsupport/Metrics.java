package dev.parley.testsupport;

import static io.restassured.RestAssured.given;

import java.net.URI;

import io.quarkus.test.common.http.TestHTTPResourceManager;

/** Reads the application's Prometheus metrics, from its management port. */
public final class Metrics {

    private Metrics() {
    }

    /** The value of the first sample of a metric, or 0 when it has none yet. */
    public static double value(String name) {
        // the management URL Quarkus gives a test ends in the management root path (/q)
        URI management = URI.create(TestHTTPResourceManager.getManagementUri());
        return value(management.getScheme() + "://" + management.getAuthority(), name);
    }

    /** The same, of the instance whose management port is at {@code managementUrl} ({@link ParleyProcess#managementUrl()}). */
    public static double value(String managementUrl, String name) {
        String body = given().baseUri(managementUrl).get("/q/metrics").then().statusCode(200).extract().asString();
        for (String line : body.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
