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
        String body = scrape(managementUrl);
        for (String line : body.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    /** The whole Prometheus text of the application under test. */
    public static String scrape() {
        URI management = URI.create(TestHTTPResourceManager.getManagementUri());
        return scrape(management.getScheme() + "://" + management.getAuthority());
    }

    /** The same, of the instance whose management port is at {@code managementUrl}. */
    public static String scrape(String managementUrl) {
        return given().baseUri(managementUrl).get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /**
     * The sum of the samples of {@code name} in {@code body} that carry every {@code tags} pair
     * ({@code "code", "1000"}); NaN when no sample matches, so that a missing family fails apart from a zero.
     */
    public static double sum(String body, String name, String... tags) {
        double sum = 0;
        boolean found = false;
        for (String line : body.split("\n")) {
            if (!line.startsWith(name + " ") && !line.startsWith(name + "{")) {
                continue;
            }
            String labels = line.startsWith(name + "{") ? line.substring(name.length(), line.lastIndexOf('}') + 1) : "";
            boolean matches = true;
            for (int i = 0; i < tags.length; i += 2) {
                String label = tags[i] + "=\"" + tags[i + 1] + "\"";
                matches &= labels.contains("{" + label) || labels.contains("," + label);
            }
            if (matches) {
                found = true;
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return found ? sum : Double.NaN;
    }

    /**
     * How much the samples of {@code name} with {@code tags} grew from {@code before} to {@code after}
     * (two scrapes); fails when {@code after} lacks the family. Other tests share the application, so
     * a counter's check is a difference.
     */
    public static double moved(String before, String after, String name, String... tags) {
        double was = sum(before, name, tags);
        double is = sum(after, name, tags);
        if (Double.isNaN(is)) {
            throw new AssertionError(name + " is not exported");
        }
        return is - (Double.isNaN(was) ? 0 : was);
    }
}
