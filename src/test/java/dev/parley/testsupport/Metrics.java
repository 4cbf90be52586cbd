package dev.parley.testsupport;

import static io.restassured.RestAssured.given;

/** Reads the application's Prometheus metrics. */
public final class Metrics {

    private Metrics() {
    }

    /** The value of the first sample of a metric, or 0 when it has none yet. */
    public static double value(String name) {
        return value(null, name);
    }

    /** The same, of the instance at {@code baseUrl} (null: the application under test). */
    public static double value(String baseUrl, String name) {
        String body = (baseUrl == null ? given() : given().baseUri(baseUrl)).get("/q/metrics")
                .then().statusCode(200).extract().asString();
        for (String line : body.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }
}
