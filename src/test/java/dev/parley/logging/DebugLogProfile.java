package dev.parley.logging;

import java.util.Map;
import java.util.UUID;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Everything at DEBUG, Parley's own categories included, written to a log file of this run's own.
 * The test's own HTTP and WebSocket clients run in the same JVM and log what they send (the login
 * body, the Authorization header) to the same handlers: they stay at INFO, as they are not Parley.
 */
public class DebugLogProfile implements QuarkusTestProfile {

    /** A new file per JVM, so that a scan sees this run's lines only. */
    static final String LOG_FILE = "target/debug-log-" + UUID.randomUUID() + ".log";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "quarkus.log.level", "DEBUG",
                "quarkus.log.category.\"dev.parley\".level", "DEBUG",
                "quarkus.log.file.enabled", "true",
                "quarkus.log.file.level", "DEBUG",
                "quarkus.log.file.path", LOG_FILE,
                "quarkus.log.file.rotation.max-file-size", "1G",
                "quarkus.log.category.\"org.apache.http\".level", "INFO",
                "quarkus.log.category.\"io.restassured\".level", "INFO",
                "quarkus.log.category.\"jdk.internal.httpclient\".level", "INFO");
    }
}
